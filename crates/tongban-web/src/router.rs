//! Every route of the application, in one place.

use crate::{
    AppState, audit, auth, bundles, calendar, cases, catalog, credit, dashboard, hotline,
    inspection, licences, open311, pages, plan, policies, reviews, rules,
};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tongban (通办) API", description = "Government-service platform of Xihu District. Errors are RFC 9457 problem+json."),
    components(schemas(crate::api::Problem)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// Every capability's API routes, each with its part of the OpenAPI document.
fn api_parts() -> Vec<OpenApiRouter<AppState>> {
    vec![
        catalog::api::router(),
        audit::router(),
        calendar::api(),
        cases::api::router(),
        bundles::api::router(),
        cases::public_notice::api(),
        reviews::api::router(),
        hotline::api::router(),
        rules::api::router(),
        policies::api::router(),
        credit::api::router(),
        inspection::api::router(),
        dashboard::api::router(),
        plan::api::router(),
    ]
}

fn merged() -> OpenApiRouter<AppState> {
    api_parts().into_iter().fold(
        OpenApiRouter::with_openapi(ApiDoc::openapi()),
        OpenApiRouter::merge,
    )
}

/// The API router and its OpenAPI document, built from the same handler annotations.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = merged().split_for_parts();
    // Applied once every route is in, so that no operation escapes it.
    utoipa::Modify::modify(&crate::api::ProblemResponses, &mut doc);
    (router, crate::api::open_flattened(doc))
}

pub fn app(state: AppState) -> Router {
    // ACCESS.md: its N cells are refused on every page, API and Open311 route before any
    // extractor reads the request. (The ops routes below are everyone's.)
    auth::access::load();
    let guard = axum::middleware::from_fn_with_state(state.clone(), auth::access::guard);
    let (api, openapi) = api();
    let openapi_json = serde_json::to_string_pretty(&openapi).expect("OpenAPI serialises");
    let page_routes = Router::new()
        .merge(pages::router())
        .merge(auth::pages::router())
        .merge(catalog::pages::router())
        .merge(catalog::admin::router())
        .merge(calendar::pages())
        .merge(cases::pages::router())
        .merge(bundles::pages::router())
        .merge(cases::public_notice::pages())
        .merge(reviews::pages::router())
        .merge(hotline::pages::router())
        .merge(rules::pages::router())
        .merge(policies::pages::router())
        .merge(credit::pages::router())
        .merge(inspection::pages::router())
        .merge(inspection::warnings::router())
        .merge(licences::pages::router())
        .merge(licences::log::router())
        .merge(dashboard::pages::router())
        .merge(dashboard::export::router())
        .merge(dashboard::monthly::router())
        .merge(plan::export::router())
        .merge(plan::pages::router())
        .route_layer(guard.clone())
        // Inside the error pages, so that a limited reader gets a page in their language.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::ops::limits::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            pages::render_errors,
        ));
    Router::new()
        .merge(
            api.route_layer(guard.clone())
                .layer(axum::middleware::from_fn(crate::api::problems_only))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::ops::limits::limit,
                )),
        )
        .route(
            "/api/openapi.json",
            get(move || async move { ([("content-type", "application/json")], openapi_json) }),
        )
        .route("/healthz", get(pages::healthz))
        .route("/readyz", get(pages::readyz))
        .route("/metrics", get(crate::ops::metrics::guarded))
        .merge(
            open311::router()
                .route_layer(guard)
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::ops::limits::limit,
                )),
        )
        .merge(page_routes)
        .fallback(pages::not_found)
        // Imports are the largest bodies we accept.
        .layer(DefaultBodyLimit::max(
            tongban_app::catalog::sheet::MAX_UPLOAD_BYTES,
        ))
        .layer(axum::middleware::from_fn(crate::ops::observe::observe))
        .layer(axum::middleware::from_fn(crate::ops::security::headers))
        .with_state(state)
}
