// The `rmfg` executable: everything lives in the `rmfg` module; this target exists so that
// release builds can link the Swift runtime and Foundation into the binary without the test
// bundle, which links the `rmfg` module, inheriting those flags (Docs/Development.md,
// "How `rmfg` is linked").
import rmfg

// Freed memory stays in the process for reuse (large solves fault and zero their buffers
// once, not at every allocation; Docs/Development.md, "The allocator of `rmfg`").
ProcessMemory.keepFreedMemory()
RMFG.main()
