// LinearProgramming: a safe Swift layer over GLPK.
