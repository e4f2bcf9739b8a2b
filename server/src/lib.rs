//! Minga: the member organizations of an assembly draft their founding
//! charter together, in real time. See `../shared/DESIGN.md` and `API.md`.

#![forbid(unsafe_code)]

pub mod auth;
pub mod ballot_deadlines;
pub mod bus;
pub mod checkpointer;
pub mod cli;
pub mod config;
pub mod connections;
pub mod domain;
pub mod head_errors;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod notice_mail;
pub mod notice_text;
pub mod office;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod ws;
