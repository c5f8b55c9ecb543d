//! The two languages. Templates carry both texts side by side (`tr("中文", "English")`), so a
//! page cannot lack a translation; this file holds what Rust code says to people: the Chinese
//! for the engine's error codes (whose own messages are English).

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// 简体中文, the default.
    Zh,
    /// English, when the user switched to it.
    En,
}

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// The text in this language.
    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// An error for people: in Chinese the code's Chinese text with the engine's English detail
    /// after it; in English the detail alone.
    pub(crate) fn error(self, code: &str, detail: &str) -> String {
        match (self, chinese(code)) {
            (Self::Zh, Some(zh)) => format!("{zh}（{detail}）"),
            _ => detail.to_owned(),
        }
    }
}

/// Chinese for the stable error codes the engine and the API use.
fn chinese(code: &str) -> Option<&'static str> {
    Some(match code {
        "invalid_field" => "输入不符合要求",
        "name_taken" => "名称已被使用",
        "account_deleted" => "账号已删除",
        "signature_exists" => "该账号已有此签名",
        "weak_password" => "密码不符合策略",
        "wrong_password" => "当前密码不正确",
        "forbidden" => "当前角色无权执行此操作",
        "not_found" => "未找到",
        "login_failed" => "账号或密码错误",
        "empty_content" => "内容为空",
        "content_too_long" => "内容过长",
        "unsafe_content" => "内容含有不允许的控制字符、方向控制字符，或没有可见字符",
        "client_ref_conflict" => "该 client_ref 已用于另一个不同的请求",
        "login_throttled" => "来自此地址的登录失败次数过多",
        "no_recipients" => "没有接收号码",
        "too_many_recipients" => "号码过多",
        "no_signature" => "该类别没有已审核的签名",
        "signature_mismatch" => "内容中的签名与该类别的签名不一致",
        "free_text_not_allowed" => "该账号只能使用已审核的模板发送",
        "category_not_allowed" => "该账号无权发送此类别",
        "unknown_category" => "未知的短信类别",
        "unknown_template" => "模板不存在或未审核",
        "template_category" => "模板类别与所选类别不一致",
        "invalid_params" => "模板变量有误",
        "sensitive_word" => "内容含有敏感词",
        "rate_limited" => "发送过快，请稍后再试",
        "quota_exceeded" => "已超出发送配额",
        "unavailable" => "平台正在停止，请稍后再试",
        "invalid_number" => "号码格式不正确",
        "invalid_period" => "时间段不正确",
        "send_at_too_far" => "定时时间太远",
        "invalid_send_at" => "定时时间格式不正确",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_in_the_chosen_language() {
        assert_eq!(
            Lang::Zh.error("name_taken", "an account named `x` exists"),
            "名称已被使用（an account named `x` exists）"
        );
        assert_eq!(Lang::En.error("name_taken", "an account named `x` exists"), "an account named `x` exists");
        assert_eq!(Lang::Zh.error("no_such_code", "detail"), "detail");
    }
}
