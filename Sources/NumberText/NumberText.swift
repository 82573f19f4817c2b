// Module `NumberText`: the one way the project prints a number in files and
// messages. Package-internal: the library modules and rmfg share it, users do not
// need it.

/// `x` as text: a whole number of magnitude below `10^15` as an integer (`3`, not `3.0`;
/// `-0.0` as `0`), anything else in Swift's shortest round-trip form (`0.1`, `1e-05`,
/// `inf`, `nan`). Reading the text back gives `x` again (up to the sign of zero).
package func numberText(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
}
