#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

@inline(__always) func mathExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func mathLog(_ x: Double) -> Double { log(x) }

/// `Σᵢ a[i]·b[i]`, summed in index order: the inner product of the Newton stages (the support
/// Newton stage's normal equations and the Newton–Krylov polish's GMRES).
func innerProduct(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
}
