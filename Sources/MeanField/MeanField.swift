// MeanField: stationary robust mean-field games (MODEL.md).
