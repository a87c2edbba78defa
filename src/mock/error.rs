//! The JSON error the simulated API answers with.

use axum::http::StatusCode;

/// An HTTP error with a `{"message": ...}` body, the shape the Reporting API uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not Found")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(64);
        crate::mock::json::Obj::new(&mut b)
            .str("message", &self.message)
            .end();
        b
    }
}
