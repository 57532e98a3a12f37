//! Pure decisions: observations in, a decision out. No I/O, no clock, no logging.
