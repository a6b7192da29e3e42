package dev.autoparallel.model;

/** The dimensions every decoder config has, read once through the alias table. */
record ParsedDims(int hidden, int layers, int heads, int vocab, int maxPositions, boolean tied) {
}
