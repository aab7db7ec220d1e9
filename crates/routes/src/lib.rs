//! # storeboard-routes
//!
//! Each crate that serves HTTP declares its endpoints in one table of [`Endpoint`]s and mounts
//! them with [`register`]. Because registration reads the same table, the table is the list of
//! routes the app really has. An access-control test can walk every crate's table and try each
//! route without credentials, so a route added tomorrow is tested without anyone remembering to
//! list it.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use storeboard_routes::{register, Endpoint};
//!
//! async fn hello() -> HttpResponse { HttpResponse::Ok().finish() }
//!
//! const ROUTES: &[Endpoint] = &[Endpoint::get("/hello", || web::get().to(hello))];
//! let app = App::new().configure(|cfg| register(cfg, ROUTES));
//! ```

use actix_web::http::Method;
use actix_web::{web, Route};

/// One route: method, path pattern, an optional resource name (for `url_for`), and how to build
/// its handler.
#[derive(Clone)]
pub struct Endpoint {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern (`/api/v1/stores/{name}`).
    pub path: &'static str,
    /// A resource name for `HttpRequest::url_for`, if the resource needs one.
    pub name: Option<&'static str>,
    /// Builds the route (`|| web::get().to(handler)`).
    pub route: fn() -> Route,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

impl Endpoint {
    /// A GET route.
    pub const fn get(path: &'static str, route: fn() -> Route) -> Self {
        Self {
            method: Method::GET,
            path,
            name: None,
            route,
        }
    }

    /// A POST route.
    pub const fn post(path: &'static str, route: fn() -> Route) -> Self {
        Self {
            method: Method::POST,
            path,
            name: None,
            route,
        }
    }

    /// A DELETE route.
    pub const fn delete(path: &'static str, route: fn() -> Route) -> Self {
        Self {
            method: Method::DELETE,
            path,
            name: None,
            route,
        }
    }

    /// The same route with a resource name.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// True for GET/HEAD/OPTIONS (reading); anything else changes state.
    pub fn is_safe(&self) -> bool {
        matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }

    /// The path with each `{param}` (or `{param:regex}`) replaced by `value`, for probing.
    pub fn sample_path(&self, value: &str) -> String {
        let mut out = String::with_capacity(self.path.len());
        let mut rest = self.path;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            match rest[start..].find('}') {
                Some(end) => {
                    out.push_str(value);
                    rest = &rest[start + end + 1..];
                }
                None => {
                    rest = &rest[start..];
                    break;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Mounts `endpoints`: one resource per distinct path (so two methods on one path share it and
/// a third method gets `405`), in table order.
pub fn register(cfg: &mut web::ServiceConfig, endpoints: &[Endpoint]) {
    let mut done: Vec<&str> = Vec::new();
    for e in endpoints {
        if done.contains(&e.path) {
            continue;
        }
        done.push(e.path);
        let mut resource = web::resource(e.path);
        if let Some(name) = endpoints
            .iter()
            .filter(|x| x.path == e.path)
            .find_map(|x| x.name)
        {
            resource = resource.name(name);
        }
        for same in endpoints.iter().filter(|x| x.path == e.path) {
            resource = resource.route((same.route)());
        }
        cfg.service(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::{call_service, init_service, TestRequest};
    use actix_web::{App, HttpResponse};

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().body("ok")
    }

    async fn created() -> HttpResponse {
        HttpResponse::Created().finish()
    }

    const ROUTES: &[Endpoint] = &[
        Endpoint::get("/things/{id}", || web::get().to(ok)).named("thing"),
        Endpoint::post("/things", || web::post().to(created)),
        Endpoint::get("/things", || web::get().to(ok)),
    ];

    #[test]
    fn sample_paths_fill_every_parameter() {
        assert_eq!(ROUTES[0].sample_path("x"), "/things/x");
        let e = Endpoint::get("/a/{f:.+}/b/{g}", || web::get().to(ok));
        assert_eq!(e.sample_path("1"), "/a/1/b/1");
    }

    #[actix_rt::test]
    async fn methods_on_one_path_share_a_resource_and_others_get_405() {
        let app = init_service(App::new().configure(|cfg| register(cfg, ROUTES))).await;
        let get = TestRequest::get().uri("/things").to_request();
        assert_eq!(call_service(&app, get).await.status(), 200);
        let post = TestRequest::post().uri("/things").to_request();
        assert_eq!(call_service(&app, post).await.status(), 201);
        let delete = TestRequest::delete().uri("/things").to_request();
        assert_eq!(call_service(&app, delete).await.status(), 405);
        let one = TestRequest::get().uri("/things/7").to_request();
        assert_eq!(call_service(&app, one).await.status(), 200);
    }
}
