//! The run's one shared store and its script handle `shared`.
//!
//! Every node and sub-run of a run holds the same [`Store`]; the handle is an ordinary value,
//! so it may travel in prep results or items. Reads and writes lock briefly; `update` holds the
//! lock across its closure so read-modify-write is atomic, and forbids waiting meanwhile.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::ReentrantMutex;
use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext, Position};

use crate::co;

/// A handle to a run's shared store (cloning shares the store).
#[derive(Clone, Default)]
pub struct Store(Arc<ReentrantMutex<RefCell<Map>>>);

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<shared store>")
    }
}

impl Store {
    /// A store holding `map`.
    pub fn new(map: Map) -> Self {
        Self(Arc::new(ReentrantMutex::new(RefCell::new(map))))
    }

    /// The value under `key` (`()` when missing).
    pub fn get(&self, key: &str) -> Dynamic {
        let guard = self.0.lock();
        let map = guard.borrow();
        map.get(key).cloned().unwrap_or(Dynamic::UNIT)
    }

    /// Set `key` to `value`.
    pub fn set(&self, key: &str, value: Dynamic) {
        let guard = self.0.lock();
        guard.borrow_mut().insert(key.into(), value);
    }

    /// A copy of the whole store.
    pub fn snapshot(&self) -> Map {
        self.0.lock().borrow().clone()
    }

    /// The store as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        super::value::to_json(&Dynamic::from_map(self.snapshot()))
    }

    fn push(&self, key: &str, value: Dynamic) -> Result<(), String> {
        let guard = self.0.lock();
        let mut map = guard.borrow_mut();
        let slot = map
            .entry(key.into())
            .or_insert_with(|| Dynamic::from_array(Array::new()));
        if slot.is_unit() {
            *slot = Dynamic::from_array(Array::new());
        }
        let type_name = slot.type_name();
        match slot.write_lock::<Array>() {
            Some(mut arr) => {
                arr.push(value);
                Ok(())
            }
            None => Err(format!(
                "shared.push(\"{key}\", …): shared.{key} is {type_name}, not an array"
            )),
        }
    }

    fn update(
        &self,
        ctx: &NativeCallContext,
        key: &str,
        f: &FnPtr,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        // Held across the closure so concurrent updates serialise; re-entrant so the closure may
        // still read the store on this thread.
        let guard = self.0.lock();
        let old = guard.borrow().get(key).cloned().unwrap_or(Dynamic::UNIT);
        let new = co::without_suspend(|| f.call_within_context::<Dynamic>(ctx, (old,)))?;
        guard.borrow_mut().insert(key.into(), new.clone());
        Ok(new)
    }
}

fn runtime_error(msg: String, pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(msg.into(), pos).into()
}

/// Register the `shared` handle's type and methods.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Store>("SharedStore")
        .register_indexer_get(|s: &mut Store, key: &str| s.get(key))
        .register_indexer_set(|s: &mut Store, key: &str, value: Dynamic| s.set(key, value))
        .register_fn(
            "push",
            |ctx: NativeCallContext, s: &mut Store, key: &str, value: Dynamic| {
                s.push(key, value)
                    .map_err(|m| runtime_error(m, ctx.call_position()))
            },
        )
        .register_fn(
            "update",
            |ctx: NativeCallContext, s: &mut Store, key: &str, f: FnPtr| s.update(&ctx, key, &f),
        )
        .register_fn("contains", |s: &mut Store, key: &str| {
            s.0.lock().borrow().contains_key(key)
        })
        .register_fn("remove", |s: &mut Store, key: &str| {
            s.0.lock().borrow_mut().remove(key).unwrap_or(Dynamic::UNIT)
        })
        .register_fn("keys", |s: &mut Store| -> Array {
            s.0.lock()
                .borrow()
                .keys()
                .map(|k| Dynamic::from(k.clone()))
                .collect()
        })
        .register_fn("to_map", |s: &mut Store| s.snapshot())
        .register_fn("to_string", |s: &mut Store| {
            format!("{}", Dynamic::from_map(s.snapshot()))
        })
        .register_fn("to_debug", |s: &mut Store| {
            format!("{:?}", Dynamic::from_map(s.snapshot()))
        });
}
