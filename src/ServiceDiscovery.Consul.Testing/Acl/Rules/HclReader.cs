// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.Consul.Testing.Acl.Rules;

/// <summary>
/// Reads the part of HCL 1 that Consul's rule language uses: <c>key = value</c>, labelled blocks
/// (<c>service "web" { policy = "read" }</c>), nested objects, lists, quoted strings with escapes, heredocs, numbers,
/// bools and the three comment styles. No HCL parser is available to the test agent, and the rule language needs
/// only this much; every error names the line and column.
/// </summary>
internal sealed class HclReader
{
    private readonly string _text;
    private int _offset;
    private int _line = 1;
    private int _column = 1;

    private HclReader(string text) => _text = text;

    /// <summary>Reads a whole document into an object.</summary>
    /// <exception cref="RuleSyntaxException">The document is not valid HCL.</exception>
    public static RuleObject Read(string text)
    {
        var reader = new HclReader(text);
        var start = reader.Position;
        var entries = reader.ReadEntries(closing: null);
        return new RuleObject(start, entries);
    }

    private RulePosition Position => new(_line, _column);

    private List<RuleEntry> ReadEntries(char? closing)
    {
        var entries = new List<RuleEntry>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                if (closing is { } expected)
                {
                    throw new RuleSyntaxException(Position, $"expected '{expected}' before the end of the rules");
                }

                return entries;
            }

            if (closing is { } close && Peek == close)
            {
                Advance();
                return entries;
            }

            entries.Add(ReadEntry());
            SkipTrivia();
            if (!AtEnd && Peek == ',')
            {
                Advance();
            }
        }
    }

    private RuleEntry ReadEntry()
    {
        var keyPosition = Position;
        var key = ReadKey("a key (a name or a quoted string)");
        SkipTrivia();
        var labels = new List<(string Label, RulePosition Position)>();
        while (!AtEnd && (Peek == '"' || IsIdentifierStart(Peek)))
        {
            var labelPosition = Position;
            labels.Add((ReadKey("a label"), labelPosition));
            SkipTrivia();
        }

        RuleNode value;
        if (!AtEnd && Peek == '=')
        {
            Advance();
            SkipTrivia();
            value = ReadValue();
        }
        else if (!AtEnd && Peek == '{')
        {
            value = ReadObject();
        }
        else
        {
            var found = AtEnd ? "the end of the rules" : $"'{Peek}'";
            throw new RuleSyntaxException(Position, $"expected '=' or '{{' after \"{key}\", found {found}");
        }

        // service "web" { ... } is service = { "web" = { ... } }: wrap the value in one object per label, innermost first.
        for (var i = labels.Count - 1; i >= 0; i--)
        {
            value = new RuleObject(labels[i].Position, [new RuleEntry(labels[i].Label, labels[i].Position, value)]);
        }

        return new RuleEntry(key, keyPosition, value);
    }

    private string ReadKey(string what)
    {
        if (AtEnd)
        {
            throw new RuleSyntaxException(Position, $"expected {what}, found the end of the rules");
        }

        if (Peek == '"')
        {
            return ReadQuoted();
        }

        if (IsIdentifierStart(Peek))
        {
            return ReadIdentifier();
        }

        throw new RuleSyntaxException(Position, $"expected {what}, found '{Peek}'");
    }

    private RuleNode ReadValue()
    {
        var position = Position;
        if (AtEnd)
        {
            throw new RuleSyntaxException(position, "expected a value, found the end of the rules");
        }

        switch (Peek)
        {
            case '"':
                return new RuleScalar(position, ReadQuoted(), IsString: true);
            case '{':
                return ReadObject();
            case '[':
                return ReadList();
            case '<' when Lookahead(1) == '<':
                return new RuleScalar(position, ReadHeredoc(), IsString: true);
        }

        if (Peek == '-' || char.IsAsciiDigit(Peek))
        {
            return new RuleScalar(position, ReadNumber(), IsString: false);
        }

        if (IsIdentifierStart(Peek))
        {
            var word = ReadIdentifier();
            return word is "true" or "false"
                ? new RuleScalar(position, word, IsString: false)
                : throw new RuleSyntaxException(position, $"expected a value, found the bare word \"{word}\" (quote strings: \"{word}\")");
        }

        throw new RuleSyntaxException(position, $"expected a value, found '{Peek}'");
    }

    private RuleObject ReadObject()
    {
        var position = Position;
        Advance();
        return new RuleObject(position, ReadEntries(closing: '}'));
    }

    private RuleList ReadList()
    {
        var position = Position;
        Advance();
        var items = new List<RuleNode>();
        while (true)
        {
            SkipTrivia();
            if (AtEnd)
            {
                throw new RuleSyntaxException(Position, "expected ']' before the end of the rules");
            }

            if (Peek == ']')
            {
                Advance();
                return new RuleList(position, items);
            }

            items.Add(ReadValue());
            SkipTrivia();
            if (!AtEnd && Peek == ',')
            {
                Advance();
            }
            else if (!AtEnd && Peek != ']')
            {
                throw new RuleSyntaxException(Position, $"expected ',' or ']' in a list, found '{Peek}'");
            }
        }
    }

    private string ReadQuoted()
    {
        var start = Position;
        Advance();
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek == '\n')
            {
                throw new RuleSyntaxException(start, "string is not terminated (a '\"' is missing)");
            }

            var c = Advance();
            if (c == '"')
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            var escapePosition = Position;
            if (AtEnd)
            {
                throw new RuleSyntaxException(start, "string is not terminated (a '\"' is missing)");
            }

            var escaped = Advance();
            switch (escaped)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case 'u': builder.Append(ReadHexRune(4, escapePosition)); break;
                case 'U': builder.Append(ReadHexRune(8, escapePosition)); break;
                default:
                    throw new RuleSyntaxException(escapePosition, $"unknown escape sequence '\\{escaped}' in a string");
            }
        }
    }

    private string ReadHexRune(int digits, RulePosition position)
    {
        if (_offset + digits > _text.Length
            || !int.TryParse(_text.AsSpan(_offset, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code)
            || !Rune.IsValid(code))
        {
            throw new RuleSyntaxException(position, $"expected {digits} hexadecimal digits of a valid character after the escape");
        }

        for (var i = 0; i < digits; i++)
        {
            Advance();
        }

        return new Rune(code).ToString();
    }

    private string ReadHeredoc()
    {
        var start = Position;
        Advance();
        Advance();
        var indented = !AtEnd && Peek == '-';
        if (indented)
        {
            Advance();
        }

        var anchor = new StringBuilder();
        while (!AtEnd && Peek != '\n' && Peek != '\r')
        {
            anchor.Append(Advance());
        }

        var marker = anchor.ToString().Trim();
        if (marker.Length == 0 || !marker.All(c => IsIdentifierPart(c)))
        {
            throw new RuleSyntaxException(start, "a heredoc needs an anchor name after '<<' (for example <<EOF)");
        }

        var lines = new List<string>();
        SkipLineBreak();
        while (true)
        {
            if (AtEnd)
            {
                throw new RuleSyntaxException(start, $"heredoc is not terminated: no line \"{marker}\" ends it");
            }

            var line = new StringBuilder();
            while (!AtEnd && Peek != '\n')
            {
                line.Append(Advance());
            }

            SkipLineBreak();
            var text = line.ToString().TrimEnd('\r');
            if ((indented ? text.Trim() : text) == marker)
            {
                return lines.Count == 0 ? string.Empty : string.Join('\n', lines) + "\n";
            }

            lines.Add(text);
        }
    }

    private void SkipLineBreak()
    {
        if (!AtEnd && Peek == '\r')
        {
            Advance();
        }

        if (!AtEnd && Peek == '\n')
        {
            Advance();
        }
    }

    private string ReadNumber()
    {
        var start = _offset;
        var position = Position;
        if (Peek == '-')
        {
            Advance();
        }

        while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek is '.' or '+' or '-'))
        {
            Advance();
        }

        var text = _text[start.._offset];
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.StartsWith("-0x", StringComparison.OrdinalIgnoreCase);
        var valid = hex
            ? long.TryParse(text.Replace("0x", string.Empty, StringComparison.OrdinalIgnoreCase), NumberStyles.AllowHexSpecifier | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return valid ? text : throw new RuleSyntaxException(position, $"\"{text}\" is not a number");
    }

    private string ReadIdentifier()
    {
        var start = _offset;
        while (!AtEnd && IsIdentifierPart(Peek))
        {
            Advance();
        }

        return _text[start.._offset];
    }

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            var c = Peek;
            if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else if (c == '#' || (c == '/' && Lookahead(1) == '/'))
            {
                while (!AtEnd && Peek != '\n')
                {
                    Advance();
                }
            }
            else if (c == '/' && Lookahead(1) == '*')
            {
                var start = Position;
                Advance();
                Advance();
                while (AtEnd || Peek != '*' || Lookahead(1) != '/')
                {
                    if (AtEnd)
                    {
                        throw new RuleSyntaxException(start, "comment is not terminated (a '*/' is missing)");
                    }

                    Advance();
                }

                Advance();
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';

    private bool AtEnd => _offset >= _text.Length;

    private char Peek => _text[_offset];

    private char Lookahead(int distance) => _offset + distance < _text.Length ? _text[_offset + distance] : '\0';

    private char Advance()
    {
        var c = _text[_offset++];
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else
        {
            _column++;
        }

        return c;
    }
}
