// Expressions: the expression language of GAME_FORMAT.md.
