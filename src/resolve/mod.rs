//! Cross-article stages: explicit barriers that see every article's
//! annotations, in article order, and keep state per entity only.

pub mod entities;
