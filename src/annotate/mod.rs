//! Per-article annotation stages. Each is a pure function of one article's
//! cleaned text and the compiled lexicons.

pub mod boilerplate;
pub mod byline;
pub mod dates;
pub mod metadata;
pub mod names;
pub mod outlet;
