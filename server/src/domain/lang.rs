//! The languages Minga speaks: Spanish (formal "usted", the default) and English.

use serde::{Deserialize, Serialize};

use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Es,
    En,
}
string_enum!(Lang { Es => "es", En => "en" });

impl Lang {
    pub fn code(self) -> &'static str {
        self.as_str()
    }
}
