import Foundation

/// An ordinary least-squares line `y ≈ intercept + slope·x` with the 95% confidence
/// interval of the slope from the residuals (Student t with `count − 2` degrees of freedom).
///
/// The interval is the textbook one for independent, normal errors of equal variance; it is
/// reported as an interval of the fit, not as a proof about the data-generating process.
public struct LinearFit: Sendable, Hashable {
    /// The number of points.
    public let count: Int
    /// `a` in `y ≈ a + b·x`.
    public let intercept: Double
    /// `b` in `y ≈ a + b·x`.
    public let slope: Double
    /// The coefficient of determination (1 when the points lie on the line or all `y` are equal).
    public let rSquared: Double
    /// The 95% interval `b ± t_{0.975, count−2}·se(b)`; `nil` with fewer than 3 points.
    public let slopeInterval: ClosedRange<Double>?

    /// Fits the points; `nil` with fewer than two points, unequal lengths, a non-finite value
    /// or all `x` equal.
    public static func fit(x: [Double], y: [Double]) -> LinearFit? {
        guard x.count == y.count, x.count >= 2, x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else { return nil }
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for (u, v) in zip(x, y) {
            sxx += (u - mx) * (u - mx)
            sxy += (u - mx) * (v - my)
            syy += (v - my) * (v - my)
        }
        guard sxx > 0 else { return nil }
        let b = sxy / sxx, a = my - b * mx
        var residual = 0.0
        for (u, v) in zip(x, y) { residual += (v - a - b * u) * (v - a - b * u) }
        let r2 = syy > 0 ? max(0, 1 - residual / syy) : 1
        var interval: ClosedRange<Double>?
        if x.count >= 3 {
            let se = (residual / (n - 2) / sxx).squareRoot()
            let half = studentT975(degreesOfFreedom: x.count - 2) * se
            interval = (b - half)...(b + half)
        }
        return LinearFit(count: x.count, intercept: a, slope: b, rSquared: r2, slopeInterval: interval)
    }

    /// The 0.975 quantile of Student's t distribution (table values, rounded up to 3 decimals,
    /// so the interval is never narrower than the exact one).
    package static func studentT975(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.707, 4.303, 3.183, 2.777, 2.571, 2.447, 2.365, 2.307, 2.263, 2.229,
                               2.201, 2.179, 2.161, 2.145, 2.132, 2.120, 2.110, 2.101, 2.094, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.049, 2.046, 2.043]
        if df >= 1, df <= table.count { return table[df - 1] }
        if df <= 60 { return 2.040 }  // the value at 31 degrees of freedom
        if df <= 120 { return 2.000 }  // at 61
        return 1.980  // at 121
    }
}

/// The log–log slope of `y` against `x`: an OLS line through `(log x, log y)`.
public enum LogLogFit {
    /// Fits `log y ≈ c + p·log x` over the points with `x > 0` and `y > 0`, provided there are at
    /// least `minimumPoints` of them (and at least two distinct `x`); `nil` otherwise.
    public static func fit(x: [Double], y: [Double], minimumPoints: Int = 3) -> LinearFit? {
        let points = zip(x, y).filter { $0.0 > 0 && $0.1 > 0 && $0.0.isFinite && $0.1.isFinite }
        guard points.count >= max(2, minimumPoints) else { return nil }
        return LinearFit.fit(x: points.map { log($0.0) }, y: points.map { log($0.1) })
    }
}
