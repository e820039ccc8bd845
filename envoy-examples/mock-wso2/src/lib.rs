//! `mock-wso2` as a library: how WSO2 Identity Server routes a request ([`dispatch`]), shared by
//! the mock upstream's binary and the wasmtime test host. See README.md.

pub mod dispatch;
