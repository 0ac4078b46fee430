/** Strings a remote command line must carry unchanged. */
export const HOSTILE = [
    "", " ", "plain", "two words", "'", "''", "\"", "it's", "a'b\"c",
    "$(touch /tmp/pwned)", "`id`", "${HOME}", "$HOME", "a;b", "a && b", "a | b", "a\nb", "\r\n", "\t",
    "-n", "--", "*", "?", "[a]", "~root", "#comment", "!", "\\", "\\'", "a\\nb", "{a,b}", "<x >y", "&",
    "ünïcødé ✓", "日本語", "emoji 🧪", "\u200b", "\x1b[31m", "%s %d", "=", "a=b c",
];

