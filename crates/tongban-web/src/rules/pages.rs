//! Pages for rule sets (filled in below).
pub fn router() -> axum::Router<crate::AppState> {
    axum::Router::new()
}
