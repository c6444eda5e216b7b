//! Jobs: the record and its status machine, the sled store, change events, and the workers.

mod events;
mod model;
mod store;
mod worker;

pub use events::Hub;
pub use model::*;
pub use store::{
    cursor, parse_cursor, CancelResult, JobPage, RetryResult, Store, StoreError, STATUSES,
};
pub use worker::{Pool, Progress, RunFuture, Runner};
