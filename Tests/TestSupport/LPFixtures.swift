/// A small integer program in CPLEX LP format, shared by the LP reader tests and the
/// `rmfg` reader tests: max 3x + 2y s.t. 2x + 2y <= 9, x <= 4. The relaxation's optimum is
/// 13 (x = 4, y = 0.5); with x, y integer it is 12 (x = 4, y = 0).
public let integerProgramLP = """
Maximize
 obj: 3 x + 2 y
Subject To
 c1: 2 x + 2 y <= 9
Bounds
 x <= 4

"""
