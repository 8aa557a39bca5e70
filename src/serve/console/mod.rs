//! The web console: a page at `GET /` that lists the served flows with their graphs, starts
//! runs and follows them live through the API's own endpoints (docs/serve.md, "Web console").
//!
//! Its files (`assets/`: the page, its script modules and styles, and mermaid, vendored) are
//! compiled into the binary, so the console needs nothing but the server: no CDN, no build
//! step. Every answer carries a Content-Security-Policy that lets the page load and connect to
//! its own origin only, so a flow's data shown on the page cannot pull anything from elsewhere.

use std::hash::{DefaultHasher, Hasher};
use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::errors::ApiError;

/// The page's policy: scripts, styles, images and connections from this origin only. Inline
/// styles are allowed because mermaid writes a `<style>` element and `style` attributes into
/// the SVG it draws; inline scripts, `eval`, frames, plugins and forms are not.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// A file of the console, compiled in.
struct Asset {
    /// Its name under `/console/`.
    name: &'static str,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Its bytes.
    body: &'static [u8],
}

/// JavaScript, as browsers want it for modules (`text/javascript`, RFC 9239).
const JS: &str = "text/javascript; charset=utf-8";

/// Every file the console serves; the first is the page served at `/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("assets/index.html"),
    },
    Asset {
        name: "console.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("assets/console.css"),
    },
    Asset {
        name: "console.js",
        content_type: JS,
        body: include_bytes!("assets/console.js"),
    },
    Asset {
        name: "api.js",
        content_type: JS,
        body: include_bytes!("assets/api.js"),
    },
    Asset {
        name: "dom.js",
        content_type: JS,
        body: include_bytes!("assets/dom.js"),
    },
    Asset {
        name: "graph.js",
        content_type: JS,
        body: include_bytes!("assets/graph.js"),
    },
    Asset {
        name: "run.js",
        content_type: JS,
        body: include_bytes!("assets/run.js"),
    },
    Asset {
        name: "prompts.js",
        content_type: JS,
        body: include_bytes!("assets/prompts.js"),
    },
    Asset {
        name: "mermaid.min.js",
        content_type: JS,
        body: include_bytes!("assets/mermaid.min.js"),
    },
    Asset {
        name: "mermaid.LICENSE",
        content_type: "text/plain; charset=utf-8",
        body: include_bytes!("assets/mermaid.LICENSE"),
    },
];

/// The console's routes: the page at `/`, its files under `/console/`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(page))
        .route("/console/{file}", get(file))
}

/// `GET /`: the page.
async fn page(headers: HeaderMap) -> Response {
    serve(0, &headers)
}

/// `GET /console/{file}`: one of the page's files, or a JSON 404.
async fn file(name: Result<Path<String>, PathRejection>, headers: HeaderMap) -> Response {
    let name = name.map(|Path(name)| name).unwrap_or_default();
    match ASSETS.iter().position(|a| a.name == name) {
        Some(index) => serve(index, &headers),
        // The name goes back as JSON text, escaped by serde: nothing a page would run.
        None => ApiError::route_not_found(&format!("/console/{name}")).into_response(),
    }
}

/// Answer with asset `index`, or `304` when the client's copy is current. The files change
/// only with the binary, so clients revalidate (`no-cache`) against a content hash and the
/// large mermaid bundle crosses the wire once per version.
fn serve(index: usize, headers: &HeaderMap) -> Response {
    let (Some(asset), Some(etag)) = (ASSETS.get(index), etags().get(index)) else {
        return ApiError::route_not_found("/").into_response();
    };
    let fresh = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*");
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    // An etag is a quoted hex number: always a valid header value.
    let tag = HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
    if fresh {
        return (StatusCode::NOT_MODIFIED, common, [(header::ETAG, tag)]).into_response();
    }
    let typed = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        ),
        (header::ETAG, tag),
    ];
    (common, typed, asset.body).into_response()
}

/// Each asset's `ETag` (a hash of its bytes), computed on first use.
fn etags() -> &'static [String] {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                // `DefaultHasher::new()` has fixed keys: the same bytes hash alike in every run.
                let mut h = DefaultHasher::new();
                h.write(a.body);
                format!("\"{:016x}\"", h.finish())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_name_and_a_quoted_etag() {
        let mut names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ASSETS.len());
        assert_eq!(etags().len(), ASSETS.len());
        assert!(etags().iter().all(|t| t.len() == 18 && t.starts_with('"')));
    }

    #[test]
    fn the_page_names_no_other_origin() {
        for asset in ASSETS.iter().filter(|a| a.name != "mermaid.min.js") {
            let text = String::from_utf8_lossy(asset.body);
            for scheme in ["http://", "https://", "//cdn"] {
                assert!(
                    !text.contains(scheme) || asset.name.ends_with("LICENSE"),
                    "{} names {scheme}",
                    asset.name
                );
            }
        }
    }
}
