/**
 * Pure rules for text the task did not write itself (file and folder names, server and proxy messages, work item
 * text) on its way out of the process: into the build log, the output variables and the summary page.
 * The agent (agent.ts) applies them at its one door; nothing here touches the terminal.
 */

/**
 * What ends a line or steers how a log is shown: C0 controls (CR, LF, tab, ESC...), DEL, C1 controls (NEL U+0085),
 * the Unicode line and paragraph separators, and the bidirectional marks that make a name read differently from
 * what it is ("Trojan Source").
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Shows every control character as a visible escape (`\n`, `\r`, `\t`, `\u0085`), so one value stays on one line. */
export function escapeControlCharacters(text: string): string {
    return text.replace(CONTROL_CHARACTERS, (character) => SHORT_ESCAPES[character] ?? `\\u${hex4(character)}`);
}

/**
 * The agent acts on `##vso[` anywhere in a line, and on `##[` formatting at its start, in any letter case.
 * A space between the two `#` keeps the text readable and leaves no command: every `#` that would open one
 * is followed by a space afterwards, and no new `#` is written.
 */
const COMMAND_OPENING = /#(?=#(?:vso)?\[)/gi;

export function breakLoggingCommands(text: string): string {
    return text.replace(COMMAND_OPENING, '# ');
}

/** One value or message, safe to print on one line of the log. */
export function neutralise(text: string): string {
    return breakLoggingCommands(escapeControlCharacters(text));
}

/** Text the task means to span several lines (the final result lists one failure a line): each line made safe, the line breaks kept. */
export function neutraliseLines(lines: readonly string[]): string {
    return lines.map(neutralise).join('\n');
}

/** Replaces every secret with `***`, as the agent masks the log; the longest first, so no part of a longer one is left. */
export function redact(text: string, secrets: readonly string[], replacement = '***'): string {
    let redacted = text;
    for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
        if (secret !== '' && redacted.includes(secret)) {
            redacted = redacted.split(secret).join(replacement);
        }
    }
    return redacted;
}

/** Where a long server answer may be cut: between words, never inside a token, a base64 string or a URL. */
const WORD_BOUNDARY = /[\s"'`,;:<>()[\]{}|]/;

/**
 * The start of a long text, at most `maxLength` characters and then `…`, cut where a word ends: a secret the text
 * echoes is then either whole, and redacted, or left out, never a part of it that no redaction can recognise.
 */
export function textStart(text: string, maxLength: number): string {
    if (text.length <= maxLength) {
        return text;
    }
    for (let end = maxLength; end > 0; end--) {
        if (WORD_BOUNDARY.test(text[end])) {
            return `${text.slice(0, end).trimEnd()}…`;
        }
    }
    return '…';
}

/**
 * Every form in which a secret can come back in a message: itself, percent-encoded, and the base64 of
 * `secret`, `:secret` and `username:secret` (what a Basic Authorization header carries), with and without padding.
 */
export function secretForms(secret: string, username?: string): string[] {
    if (secret === '') {
        return [];
    }
    const encoded = [secret, `:${secret}`, ...(username ? [`${username}:${secret}`] : [])].map((text) => Buffer.from(text, 'utf8').toString('base64'));
    const forms = [secret, encodeURIComponent(secret), ...encoded, ...encoded.map((base64) => base64.replace(/=+$/, ''))];
    return [...new Set(forms)].filter((form) => form !== '');
}

/**
 * A task-lib command line (`##vso[area.action properties]data`) made safe to print: the command the task meant is
 * kept, and the data after it can open no other command and shows no secret. task-lib escapes CR, LF and `%` in
 * the data but echoes values it logs itself (the paths `findMatch` walks, the value of a variable it sets) as they are.
 * `task.setsecret` is left whole: its data is the secret the agent is to mask.
 */
export function guardCommandOutput(text: string, secrets: readonly string[]): string {
    return text
        .split(/(?<=\n)/)
        .map((line) => guardCommandLine(line, secrets))
        .join('');
}

function guardCommandLine(line: string, secrets: readonly string[]): string {
    const ending = /\r?\n$/.exec(line)?.[0] ?? '';
    const body = line.slice(0, line.length - ending.length);
    const opening = /^##vso\[[^\]]*\]/i.exec(body)?.[0];
    if (opening === undefined) {
        return neutralise(redact(body, secrets)) + ending;
    }
    if (/^##vso\[task\.setsecret[\s\]]/i.test(opening)) {
        return line;
    }
    // The data is escaped already: a secret with `%`, CR or LF is there in task-lib's spelling, which the agent reads back.
    return opening + neutralise(redact(body.slice(opening.length), [...secrets, ...secrets.map(commandDataForm)])) + ending;
}

/** A value as task-lib writes it as a command's data: `%` as `%AZP25`, CR as `%0D`, LF as `%0A`. */
function commandDataForm(secret: string): string {
    return secret.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Characters percent-encoded in a URL the server handed out, before it reaches an output or the summary: `;`
 * (it separates the URLs in `AttachmentUrls`), `[` and `]` (outside an IPv6 host), whitespace, control and
 * bidirectional characters, and those a URL may not hold as they are (`"<>\^`{|}`). The server decodes them back
 * to the same URL.
 */
const URL_UNSAFE = /[\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff;[\]"<>\\^`{|}]/g;

export function safeUrl(url: string): string {
    const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#[\]\s]*@)?\[[0-9a-f:.]+\]/i.exec(url)?.[0] ?? '';
    return host + url.slice(host.length).replace(URL_UNSAFE, percentEncode);
}

/**
 * Text shown on the summary page: it renders as itself, never as a link, an image, emphasis, code or HTML.
 * Markdown punctuation is escaped with a backslash; `<`, `>` and `&` become entities, which every renderer
 * shows as text, also one that passes HTML through; `://` and `www.` are broken up so no link is made of a bare address.
 */
export function markdownText(text: string): string {
    return escapeControlCharacters(text)
        .replace(/[\\`*_[\]()!|~#]/g, (character) => `\\${character}`)
        .replace(/[<>&]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character] ?? character)
        .replace(/:\/\//g, ':\\/\\/')
        .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}\\.`);
}

/** A link target for the summary page: an http(s) URL made safe, with what would end the target or the table cell encoded; anything else is no link. */
export function markdownLinkTarget(url: string): string | undefined {
    if (!/^https?:\/\//i.test(url)) {
        return undefined;
    }
    return safeUrl(url).replace(/[()]/g, percentEncode);
}

/** JSON for a value that goes into the log: `#` as `\u0023`, so no `##vso[` can form, and the Unicode line breaks JSON.stringify leaves raw. It parses back to the same value. */
export function jsonForLog(value: unknown): string {
    return escapeJsonText(JSON.stringify(value));
}

/** JSON text with `#`, C1 controls, DEL, the Unicode line separators and the bidirectional marks as `\u` escapes; it parses back to the same value. */
export function escapeJsonText(json: string): string {
    return json.replace(/[#\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (character) => `\\u${hex4(character)}`);
}

/** UTF-8 percent-encoding, also of the parentheses encodeURIComponent leaves as they are. */
function percentEncode(character: string): string {
    return encodeURIComponent(character).replace(/[()]/g, (c) => `%${hex2(c)}`);
}

function hex4(character: string): string {
    return character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
}

function hex2(character: string): string {
    return character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}
