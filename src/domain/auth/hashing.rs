//! Argon2id without letting a burst of logins take the server's memory: at most one
//! computation per core runs at once, each in a block buffer (19 MiB) that is kept and reused,
//! so memory stays at cores × 19 MiB however many logins arrive. The rest wait their turn, at
//! most [`MAX_WAIT`], then get 503 with `Retry-After`. The work runs on the blocking pool, never
//! on the async executor.

use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::error::{AppError, AppResult};

/// How long a login waits for a free hasher before it is told to retry.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// The largest memory cost a stored hash may ask for (64 MiB): a hash asking more is refused,
/// not computed.
const MAX_M_COST_KIB: u32 = 64 * 1024;

struct Hashers {
    permits: Semaphore,
    buffers: Mutex<Vec<Vec<Block>>>,
}

static HASHERS: LazyLock<Hashers> = LazyLock::new(|| Hashers {
    permits: Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
    buffers: Mutex::default(),
});

/// Computes Argon2id of `password` with `salt` and `params` into a 32-byte output, on a free
/// hasher. `None` when the parameters are out of bounds.
pub async fn argon2id(
    password: Vec<u8>,
    salt: Vec<u8>,
    params: Params,
) -> AppResult<Option<[u8; 32]>> {
    if params.m_cost() > MAX_M_COST_KIB {
        return Ok(None);
    }
    let _permit = tokio::time::timeout(MAX_WAIT, HASHERS.permits.acquire())
        .await
        .map_err(|_| AppError::Busy("too many logins at once"))?
        .map_err(AppError::internal)?;
    let mut buffer = take_buffer();
    let (output, buffer) = tokio::task::spawn_blocking(move || {
        let blocks = params.block_count();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        let mut out = [0u8; 32];
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let done = hasher
            .hash_password_into_with_memory(&password, &salt, &mut out, &mut buffer[..blocks])
            .is_ok();
        (done.then_some(out), buffer)
    })
    .await
    .map_err(AppError::internal)?;
    give_back(buffer);
    Ok(output)
}

fn take_buffer() -> Vec<Block> {
    HASHERS
        .buffers
        .lock()
        .ok()
        .and_then(|mut buffers| buffers.pop())
        .unwrap_or_default()
}

fn give_back(buffer: Vec<Block>) {
    if let Ok(mut buffers) = HASHERS.buffers.lock() {
        buffers.push(buffer);
    }
}
