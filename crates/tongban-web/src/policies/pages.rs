//! Pages for policies (filled in below).
pub fn router() -> axum::Router<crate::AppState> {
    axum::Router::new()
}
