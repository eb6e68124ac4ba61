//! The device list (DEV-1): filters, search, sorts with keyset pagination,
//! counts and facets; its CSV export (DEV-7); the assignment preview's serial
//! classification (DEV-2) and deleting devices from Depot (DEV-5).
//!
//! Pages never use OFFSET: a [`DeviceCursor`] carries the last row's sort value,
//! serial and token, and the next page starts strictly after it. Every sort
//! ends with (serial, token_id), so the order is total and a walk from the
//! first page to the last returns every matching row exactly once. Each sort
//! has an index (migration 0005), so a page reads about `limit` index entries
//! however deep it is; a filter that matches few devices reads those instead
//! (see [`DRIVING_ROWS`]).
//!
//! Free text: every word (any case) must appear in the serial, model,
//! description, color, asset tag or OS. Words of 3+ characters use the
//! trigram index `device_search` (serial, asset tag) and the distinct values
//! in `device_values` (the other four columns); shorter words use `LIKE`.
//! The Depot profile of a device is found through its `profile_uuid`: the
//! device is on Depot profile P when that uuid is Apple's uuid of any version
//! of P.
//!
//! Files: `types` (the query, cursor, rows and facets), `plan` (a query
//! turned into SQL: filters, search terms, the driving-index choice),
//! `queries` (list, count, facets, export, one device), `preview` (the
//! assignment preview's classification and deleting devices).

mod plan;
mod preview;
mod queries;
mod types;

pub use types::*;

#[cfg(test)]
pub(crate) use plan::DRIVING_ROWS;

#[cfg(test)]
mod tests;
