"""Exact Gauss-Jordan pivoting on rows of fractions.Fraction, shared by the rational
references scripts/exact_worst_case.py (its simplex tableau) and
scripts/stationary_reference.py (its linear solves). Standard library only."""


def pivot(rows, r, c):
    """Scales row r so that its entry in column c is 1, then clears column c from every
    other row (in place). rows[r][c] must be non-zero."""
    p = rows[r][c]
    rows[r] = [x / p for x in rows[r]]
    for i in range(len(rows)):
        if i != r and rows[i][c] != 0:
            f = rows[i][c]
            rows[i] = [x - f * y for x, y in zip(rows[i], rows[r])]
