//! [`wire_enum!`]: a string enum of the wire, each value spelled once.
//!
//! From one list of `Variant = "Spelling" | "alias"…` lines it gives the Rust enum with its
//! serde form (aliases accepted on input, the canonical spelling written), the value list that
//! error messages quote ([`WireEnum::names`]), and the TypeScript union the npm package
//! declares ([`WireEnum::TS`]). Adding a value is one line.

/// What every [`wire_enum!`] type offers.
pub trait WireEnum: Sized + Copy + 'static {
    /// The type's name (`UploadMode`), as TypeScript and messages call it.
    const NAME: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// `X a b`: the name and every canonical value, space-separated (the npm package's loaders
    /// build the exported enum objects from these lines; see src/js/policy.rs).
    const LINE: &'static str;
    /// `X Variant=value …`: the name and every canonical value keyed by its Rust variant name,
    /// for enums whose JS object is keyed that way (`BetaContextMountAccessMode.ReadWrite ===
    /// "readWrite"`, the official TypeScript enums); [`WireEnum::LINE`] keys each value by itself.
    const VARIANT_LINE: &'static str;
    /// `export type X = "a" | "b";`, plus `XInput` (with the aliases) when the type has any.
    const TS: &'static str;
    /// The canonical spelling.
    fn as_str(self) -> &'static str;
    /// Accepted alternative spellings of this value.
    fn aliases(self) -> &'static [&'static str];

    /// The value spelled `s` (canonically or by an alias).
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s || v.aliases().contains(&s))
    }

    /// The canonical spellings joined with `, `, each followed by `(alias …)` when it has one:
    /// the list an "Invalid … value" message quotes.
    fn names() -> String {
        Self::ALL
            .iter()
            .map(|v| match v.aliases() {
                [] => v.as_str().to_string(),
                a => format!("{} (alias {})", v.as_str(), a.join(", ")),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Declares a [`WireEnum`]; the value marked `#[default]` is the official default.
#[macro_export]
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::wire_enum::WireEnum for $name {
            const NAME: &'static str = stringify!($name);
            const ALL: &'static [Self] = &[$($name::$variant),+];
            const LINE: &'static str = concat!(stringify!($name), $(" ", $wire,)+);
            const VARIANT_LINE: &'static str =
                concat!(stringify!($name), $(" ", stringify!($variant), "=", $wire,)+);
            const TS: &'static str = concat!(
                "export type ", stringify!($name), " =", $(" | \"", $wire, "\"",)+ ";\n",
                $crate::wire_enum!(@input $name, $($($alias)*)*),
            );
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)+ }
            }
            fn aliases(self) -> &'static [&'static str] {
                match self { $($name::$variant => &[$($alias),*],)+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::wire_enum::WireEnum::as_str(*self))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::wire_enum::WireEnum::as_str(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use $crate::wire_enum::WireEnum;
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| {
                    ::serde::de::Error::custom(format!(
                        "Invalid {} value: {s}. Valid values are: {}",
                        Self::NAME,
                        Self::names()
                    ))
                })
            }
        }
    };
    (@input $name:ident, ) => { "" };
    (@input $name:ident, $($alias:literal)+) => {
        concat!(
            "/** `", stringify!($name), "`, or a seed spelling that is normalised to it:", $(" `", $alias, "`",)+ ". */\n",
            "export type ", stringify!($name), "Input = ", stringify!($name), $(" | \"", $alias, "\"",)+ ";\n"
        )
    };
}

#[cfg(test)]
mod tests {
    // Under wasm32 these run in Node and Chromium (scripts/test.sh), as the SDK does.
    use super::WireEnum;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    crate::wire_enum! {
        /// A test enum.
        pub enum Sample {
            #[default]
            One = "One" | "Uno" | "Eins",
            Two = "Two",
        }
    }

    #[test]
    fn one_list_gives_parse_names_serde_and_typescript() {
        assert_eq!(Sample::parse("Uno"), Some(Sample::One));
        assert_eq!(Sample::parse("Two"), Some(Sample::Two));
        assert_eq!(Sample::parse("Three"), None);
        assert_eq!(Sample::names(), "One (alias Uno, Eins), Two");
        assert_eq!(Sample::LINE, "Sample One Two");
        assert_eq!(Sample::VARIANT_LINE, "Sample One=One Two=Two");
        assert_eq!(serde_json::to_string(&Sample::default()).unwrap(), r#""One""#);
        assert_eq!(serde_json::from_str::<Sample>(r#""Eins""#).unwrap(), Sample::One);
        let e = serde_json::from_str::<Sample>(r#""x""#).unwrap_err().to_string();
        assert!(e.starts_with("Invalid Sample value: x. Valid values are: One (alias Uno, Eins), Two"), "{e}");
        assert_eq!(
            Sample::TS,
            "export type Sample = | \"One\" | \"Two\";\n/** `Sample`, or a seed spelling that is normalised to it: `Uno` `Eins`. */\nexport type SampleInput = Sample | \"Uno\" | \"Eins\";\n"
        );
    }
}
