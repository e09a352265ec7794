//! The host's file system for `fileSystem.uploadFile(localPath)` / `downloadFile(…, localPath)`:
//! Node's `fs` module, handed over by the package's Node entries (`__install` in
//! pkg-template/extras.mjs calls `__agentbayHostFs(fs)`). The .wasm imports no `node:` module
//! itself, so the same file loads in browsers, which have none (and local paths are refused there).

use super::env::describe;
use crate::core::file_transfer::LocalFiles;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static HOST_FS: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Called by the Node entries with `node:fs`; not part of the public API.
#[wasm_bindgen(js_name = __agentbayHostFs, skip_typescript)]
pub fn set_host_fs(fs: JsValue) {
    HOST_FS.with(|h| *h.borrow_mut() = Some(fs).filter(JsValue::is_object));
}

/// Node's synchronous `fs` functions, when the host gave them.
pub struct HostFs(JsValue);

impl HostFs {
    /// The host's file system, or `None` (browsers, workers, the bundler entry).
    pub fn get() -> Option<HostFs> {
        HOST_FS.with(|h| h.borrow().clone()).map(HostFs)
    }

    fn call(&self, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
        let f: Function = Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| format!("fs.{name} is not available"))?;
        let list: Array = args.iter().collect();
        f.apply(&self.0, &list).map_err(|e| describe(&e))
    }
}

/// The directory `path` is in (`/` and `\` separate), if it names one.
fn parent(path: &str) -> Option<&str> {
    let cut = path.rfind(['/', '\\'])?;
    Some(&path[..cut]).filter(|p| !p.is_empty())
}

impl LocalFiles for HostFs {
    fn exists(&self, path: &str) -> bool {
        self.call("existsSync", &[path.into()]).map(|v| v.is_truthy()).unwrap_or(false)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let buf = self.call("readFileSync", &[path.into()])?;
        buf.dyn_into::<Uint8Array>().map(|b| b.to_vec()).map_err(|_| "fs.readFileSync did not return bytes".into())
    }

    fn make_parent_dirs(&self, path: &str) -> Result<(), String> {
        let Some(dir) = parent(path) else { return Ok(()) };
        let options = Object::new();
        let _ = Reflect::set(&options, &"recursive".into(), &true.into());
        self.call("mkdirSync", &[dir.into(), options.into()]).map(|_| ())
    }

    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.call("writeFileSync", &[path.into(), Uint8Array::from(bytes).into()]).map(|_| ())
    }
}
