/// A rectangular array of numbers of any rank, stored flat in row-major order.
///
/// A vector `[1, 2, 3]` has shape `[3]`; a matrix `[[0, 1], [1, 0]]` has shape
/// `[2, 2]` and elements `[0, 1, 1, 0]`. Used for constant arrays in a
/// ``Schema`` (game parameters).
public struct ArrayValue: Sendable, Equatable {
    /// The length of each dimension, outermost first; never empty.
    public let shape: [Int]
    /// The elements in row-major order; `elements.count` is the product of ``shape``.
    public let elements: [Double]

    /// Creates an array from its shape and row-major elements.
    ///
    /// - Throws: ``ExpressionError/Kind/invalidShape(shape:elementCount:)`` if the shape is
    ///   empty, has a negative dimension, or its product is not `elements.count`.
    public init(shape: [Int], elements: [Double]) throws(ExpressionError) {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }),
              Self.product(shape) == elements.count
        else { throw ExpressionError(.invalidShape(shape: shape, elementCount: elements.count)) }
        self.shape = shape
        self.elements = elements
    }

    /// A vector (shape `[values.count]`).
    public init(_ values: [Double]) {
        shape = [values.count]
        elements = values
    }

    /// Stacks equally shaped arrays along a new outer dimension.
    ///
    /// This builds an array of any depth from nested data: a matrix is
    /// `ArrayValue(stacking: rows.map(ArrayValue.init))`. Stacking no arrays gives
    /// an empty vector.
    ///
    /// - Throws: ``ExpressionError/Kind/invalidShape(shape:elementCount:)`` if the shapes differ
    ///   (a ragged array).
    public init(stacking parts: [ArrayValue]) throws(ExpressionError) {
        guard let first = parts.first else {
            shape = [0]
            elements = []
            return
        }
        var elements: [Double] = []
        elements.reserveCapacity(first.elements.count * parts.count)
        for part in parts {
            guard part.shape == first.shape else {
                throw ExpressionError(.invalidShape(shape: [parts.count] + first.shape,
                                                    elementCount: parts.reduce(0) { $0 + $1.elements.count }))
            }
            elements.append(contentsOf: part.elements)
        }
        self.shape = [parts.count] + first.shape
        self.elements = elements
    }

    /// The product of the dimensions (saturating, so absurd shapes cannot trap).
    static func product(_ shape: [Int]) -> Int {
        var p = 1
        for d in shape {
            let (r, overflow) = p.multipliedReportingOverflow(by: d)
            p = overflow ? Int.max : r
        }
        return p
    }
}
