//! Security headers on every response, the document-only ones only on documents.
//!
//! `X-Content-Type-Options: nosniff` goes on every answer. The `Content-Security-Policy`,
//! `X-Frame-Options` and `Referrer-Policy` only mean something where a browser renders the
//! answer as a document that can run script, be framed, or make requests of its own: HTML,
//! XHTML, SVG and XML, or an answer with no `Content-Type` at all. With `nosniff` on
//! everything, a JSON, CSS, JavaScript, plain-text or xlsx answer is never rendered as a
//! document, so those headers would only be bytes: 290 of the 498 a `/healthz` answer carried,
//! about 5–7% of the full app's throughput under load (docs/performance.md).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::Error;
use futures_util::future::{ready as ready_future, Ready};

/// Scripts only from our own files (no inline script, no eval); styles may be inline because
/// ECharts draws its tooltips with inline styles; no framing; forms and fetches to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'none'";

/// The security headers middleware (see the module docs); headers a handler set itself are
/// kept.
pub fn security_headers() -> SecurityHeaders {
    SecurityHeaders
}

/// Middleware adding `nosniff` to every response, and the [`CONTENT_SECURITY_POLICY`],
/// `X-Frame-Options: DENY` and `Referrer-Policy: same-origin` to documents ([`is_document`])
/// unless the handler set them itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecurityHeaders;

/// Could a browser render an answer of this `Content-Type` as a document (run its scripts,
/// frame it)? `None` is no `Content-Type` header, which a browser may treat as HTML.
pub fn is_document(content_type: Option<&HeaderValue>) -> bool {
    let Some(value) = content_type else {
        return true;
    };
    // The media type without parameters, compared without allocating (this runs per response).
    let essence = value.as_bytes().split(|&b| b == b';').next().unwrap_or(b"");
    let essence = essence.trim_ascii();
    let is = |name: &str| essence.eq_ignore_ascii_case(name.as_bytes());
    let ends_xml = essence.len() >= 4 && essence[essence.len() - 4..].eq_ignore_ascii_case(b"+xml");
    let openxml = essence.len() >= 31
        && essence[..31].eq_ignore_ascii_case(b"application/vnd.openxmlformats");
    essence.is_empty()
        || is("text/html")
        || is("application/xhtml+xml")
        || is("image/svg+xml")
        || is("text/xml")
        || is("application/xml")
        || (ends_xml && !openxml)
}

fn add_headers(headers: &mut HeaderMap) {
    // `nosniff` is the header's only value: set it without looking first.
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !is_document(headers.get(header::CONTENT_TYPE)) {
        return;
    }
    let documents = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in documents {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

impl<S, B> Transform<S, ServiceRequest> for SecurityHeaders
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = SecurityHeadersService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready_future(Ok(SecurityHeadersService { service }))
    }
}

/// The service [`SecurityHeaders`] makes.
pub struct SecurityHeadersService<S> {
    service: S,
}

impl<S, B> Service<ServiceRequest> for SecurityHeadersService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = WithHeaders<S::Future>;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        WithHeaders {
            inner: self.service.call(req),
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's future, adding the headers to its response (no box per request).
    pub struct WithHeaders<F> {
        #[pin]
        inner: F,
    }
}

impl<F, B> Future for WithHeaders<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut response = ready!(self.project().inner.poll(cx))?;
        add_headers(response.headers_mut());
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &'static str) -> HeaderValue {
        HeaderValue::from_static(s)
    }

    #[test]
    fn html_svg_xml_and_untyped_answers_are_documents() {
        for ct in [
            "text/html; charset=utf-8",
            "TEXT/HTML",
            "application/xhtml+xml",
            "image/svg+xml",
            "application/xml",
            "text/xml; charset=utf-8",
            "application/atom+xml",
            "",
        ] {
            assert!(
                is_document(Some(&HeaderValue::from_str(ct).unwrap())),
                "{ct}"
            );
        }
        assert!(is_document(None));
    }

    #[test]
    fn json_text_scripts_styles_and_workbooks_are_not_documents() {
        for ct in [
            "application/json",
            "text/plain; charset=utf-8",
            "text/css",
            "application/javascript",
            "text/javascript; charset=utf-8",
            "image/png",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "text/event-stream",
        ] {
            assert!(!is_document(Some(&value(ct))), "{ct}");
        }
    }

    #[test]
    fn a_header_the_handler_set_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, value("text/html"));
        headers.insert(header::X_FRAME_OPTIONS, value("SAMEORIGIN"));
        add_headers(&mut headers);
        assert_eq!(headers.get(header::X_FRAME_OPTIONS).unwrap(), "SAMEORIGIN");
        assert_eq!(
            headers.get(header::CONTENT_SECURITY_POLICY).unwrap(),
            CONTENT_SECURITY_POLICY
        );
        assert_eq!(
            headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
    }
}
