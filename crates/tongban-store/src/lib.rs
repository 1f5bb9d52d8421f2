
pub use sqlx;
