using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace FocusLab.Cli.Conventions;

/// <summary>
/// One convention for every command's failures: a single line <c>focuslab: error: …</c> naming the
/// input and the fix; exit code <see cref="BadInput"/> for bad input (options, specs, missing or
/// damaged files, an output folder that cannot be written), <see cref="RunFailed"/> when the work
/// itself failed; the stack trace only with <c>--verbose</c>. (3 stays "stopped on NaN/Inf", see
/// <see cref="Commands.TrainCommand.DivergedExitCode"/>; 130 is <see cref="Interrupt.ExitCode"/>.)
/// </summary>
internal static class Failure
{
    public const int RunFailed = 1;
    public const int BadInput = 2;

    /// <summary>Writes the one-line message (and the stack trace when <paramref name="verbose"/>) and returns the exit code.</summary>
    public static int Report(Exception e, bool verbose)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerException!;
        int code = IsBadInput(e) ? BadInput : RunFailed;
        string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
        message = message.ReplaceLineEndings(" ").Trim();
        if (code == RunFailed && e is not (IOException or UnauthorizedAccessException))
            message = $"{message} ({e.GetType().Name}{(verbose ? "" : "; rerun with --verbose for the stack trace")})";
        Console.Error.WriteLine($"focuslab: error: {message}");
        if (verbose) Console.Error.WriteLine(e);
        return code;
    }

    private static bool IsBadInput(Exception e) => e is ArgumentException or FormatException or InvalidDataException
        or FileNotFoundException or DirectoryNotFoundException or KeyNotFoundException;

    /// <summary>
    /// The parser's errors as one line each, rewritten where the parser's text is unhelpful
    /// (<c>--steps abc</c> becomes "--steps expects a whole number, got 'abc'"), followed by where to
    /// read about the options — never the whole help text.
    /// </summary>
    public static int ReportParseErrors(ParseResult parse)
    {
        foreach (var error in parse.Errors)
            Console.Error.WriteLine($"focuslab: error: {Rewrite(error)}");
        string command = string.Join(' ', CommandPath(parse.CommandResult));
        Console.Error.WriteLine($"focuslab: see `{command} --help` for the options.");
        return BadInput;
    }

    private static IEnumerable<string> CommandPath(CommandResult? result)
    {
        var names = new Stack<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Push(c.Command is RootCommand ? "focuslab" : c.Command.Name);
        return names;
    }

    private static string Rewrite(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        if (option is null || option.Tokens.Count == 0) return error.Message.ReplaceLineEndings(" ");
        Type type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
        string token = option.Tokens[^1].Value;
        string? expected = type == typeof(int) ? (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null
                : long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? $"a whole number up to {int.MaxValue}" : "a whole number")
            : type == typeof(long) ? (long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "a whole number")
            : type == typeof(ulong) ? (ulong.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "a whole number ≥ 0")
            : type == typeof(double) ? (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : "a number (e.g. 0.5 or 1e-3)")
            : null;
        if (expected is null) return error.Message.ReplaceLineEndings(" ");
        string example = option.Option.HasDefaultValue && option.Option.GetDefaultValue() is { } d
            ? $" (default {Convert.ToString(d, CultureInfo.InvariantCulture)})" : "";
        return $"{option.Option.Name} expects {expected}, got '{token}'{example}.";
    }
}
