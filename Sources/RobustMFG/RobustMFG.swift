// Module `RobustMFG`: the umbrella library. `import RobustMFG` brings every
// library module of the package into scope, so an application needs one
// dependency and one import:
//
//     .product(name: "RobustMFG", package: "RobustMFG")
//
// The modules stay separate products as well, for users who want only a part
// (for example `Ambiguity` for the inner problems alone).

@_exported import Ambiguity
@_exported import Experiments
@_exported import Expressions
@_exported import GameFiles
@_exported import LinearProgramming
@_exported import MeanField
@_exported import Population
@_exported import Randomness
@_exported import Subsampling
