//! Action names (`Action=` query field / `x-acs-action` header).

use std::fmt;
use std::str::FromStr;

macro_rules! actions {
    ($($variant:ident),* $(,)?) => {
        /// Every action agentbay-local serves and the SDK sends.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Action::$variant => stringify!($variant)),* }
            }
        }

        impl FromStr for Action {
            type Err = UnknownAction;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $(stringify!($variant) => Ok(Action::$variant),)*
                    _ => Err(UnknownAction(s.to_string())),
                }
            }
        }
    };
}

actions!(
    CreateMcpSession,
    GetSession,
    GetSessionDetail,
    ListSession,
    DeleteSessionAsync,
    ReleaseMcpSession,
    SetLabel,
    GetLabel,
    ListMcpTools,
    GetMcpResource,
    CallMcpTool,
    GetContext,
    ListContexts,
    ModifyContext,
    DeleteContext,
    ClearContext,
    DescribeContextFiles,
    GetContextFileUploadUrl,
    GetContextFileDownloadUrl,
    DeleteContextFile,
    SyncContext,
    GetContextInfo,
    RefreshSessionIdleTime,
    PauseSessionAsync,
    ResumeSessionAsync,
    BindContexts,
    DescribeSessionContexts,
    GetAndLoadInternalContext,
);

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action '{0}'")]
pub struct UnknownAction(pub String);

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn names_round_trip() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), *a);
        }
        assert!("Nope".parse::<Action>().is_err());
    }
}
