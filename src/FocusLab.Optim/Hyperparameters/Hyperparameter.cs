using System.Globalization;

namespace FocusLab.Optim;

/// <summary>What kind of value a hyperparameter holds; all are stored as doubles.</summary>
public enum HyperparameterKind
{
    /// <summary>A real number within [<see cref="Hyperparameter.Min"/>, <see cref="Hyperparameter.Max"/>] (each end open or closed).</summary>
    Real,
    /// <summary>A flag: 1 for true, 0 for false; written <c>true</c>/<c>false</c> in spec strings.</summary>
    Boolean,
    /// <summary>One of <see cref="Hyperparameter.Choices"/>, stored as its index.</summary>
    Choice,
}

/// <summary>
/// One named hyperparameter: its default, its valid range and how it is parsed. Each optimizer lists
/// its hyperparameters once (its <c>Schema</c>), so defaults live in one place per optimizer.
/// </summary>
/// <param name="Name">The canonical name used in spec strings and state files (<c>lr</c>, <c>beta2</c>, <c>weight_decay</c>).</param>
/// <param name="Default">The value a group gets when neither the spec nor the group overrides it (flags and choices as numbers).</param>
/// <param name="Kind">Whether the value is a real number, a flag or a choice.</param>
/// <param name="Min">Lower end of the valid range of a real value.</param>
/// <param name="Max">Upper end of the valid range of a real value.</param>
/// <param name="MinInclusive">Whether <paramref name="Min"/> itself is valid.</param>
/// <param name="MaxInclusive">Whether <paramref name="Max"/> itself is valid.</param>
/// <param name="Choices">The allowed words of a choice, in index order; null for other kinds.</param>
/// <param name="Description">What the hyperparameter means, as listed by <c>focuslab optimizers</c>.</param>
public sealed record Hyperparameter(
    string Name,
    double Default,
    HyperparameterKind Kind = HyperparameterKind.Real,
    double Min = double.NegativeInfinity,
    double Max = double.PositiveInfinity,
    bool MinInclusive = true,
    bool MaxInclusive = true,
    string[]? Choices = null,
    string Description = "")
{
    /// <summary>A real hyperparameter valid in the range from <paramref name="min"/> to <paramref name="max"/>, each end included unless its flag says otherwise.</summary>
    /// <param name="name">Canonical name.</param>
    /// <param name="default">Value used when nothing overrides it; must itself be valid.</param>
    /// <param name="min">Lower end of the valid range (−∞ for none).</param>
    /// <param name="max">Upper end of the valid range (+∞ for none).</param>
    /// <param name="minInclusive">Whether <paramref name="min"/> is valid.</param>
    /// <param name="maxInclusive">Whether <paramref name="max"/> is valid.</param>
    /// <param name="description">What it means, for listings.</param>
    public static Hyperparameter Real(string name, double @default, double min, double max, bool minInclusive = true, bool maxInclusive = true, string description = "")
        => new(name, @default, HyperparameterKind.Real, min, max, minInclusive, maxInclusive, null, description);

    /// <summary>A true/false hyperparameter (stored as 1/0), e.g. <c>nesterov</c>.</summary>
    /// <param name="name">Canonical name.</param>
    /// <param name="default">Value used when nothing overrides it.</param>
    /// <param name="description">What it means, for listings.</param>
    public static Hyperparameter Flag(string name, bool @default, string description = "")
        => new(name, @default ? 1 : 0, HyperparameterKind.Boolean, 0, 1, Description: description);

    /// <summary>A hyperparameter that takes one of a few words (stored as the word's index), e.g. FOCUS's <c>decay=before|after</c>.</summary>
    /// <param name="name">Canonical name.</param>
    /// <param name="default">The word used when nothing overrides it; must be one of <paramref name="choices"/>.</param>
    /// <param name="choices">The allowed words.</param>
    /// <param name="description">What it means, for listings.</param>
    public static Hyperparameter Choice(string name, string @default, string[] choices, string description = "")
        => new(name, Array.IndexOf(choices, @default), HyperparameterKind.Choice, 0, choices.Length - 1, Choices: choices, Description: description);

    // Common definitions, shared so that every optimizer states the same valid ranges.
    /// <summary>The learning rate η (<c>lr</c>, ≥ 0) with the optimizer's own default.</summary>
    public static Hyperparameter LearningRate(double @default) => Real("lr", @default, 0, double.PositiveInfinity, description: "learning rate η");
    /// <summary>The weight-decay coefficient (<c>weight_decay</c>, ≥ 0); whether it is coupled L2 or decoupled is the optimizer's choice.</summary>
    public static Hyperparameter WeightDecay(double @default = 0) => Real("weight_decay", @default, 0, double.PositiveInfinity, description: "weight decay");
    /// <summary>A moment decay rate β (<c>beta1</c>, <c>beta2</c>, ...), valid in [0, 1).</summary>
    public static Hyperparameter Beta(string name, double @default) => Real(name, @default, 0, 1, true, false, "moment decay rate");
    /// <summary>The denominator guard ε (<c>eps</c>, ≥ 0) that keeps adaptive steps finite where the second moment is 0.</summary>
    public static Hyperparameter Epsilon(double @default) => Real("eps", @default, 0, double.PositiveInfinity, description: "denominator guard");

    /// <summary>Human-readable valid range, used in error messages.</summary>
    public string RangeText => Kind switch
    {
        HyperparameterKind.Boolean => "true or false",
        HyperparameterKind.Choice => "one of " + string.Join(", ", Choices!),
        _ when double.IsNegativeInfinity(Min) && double.IsPositiveInfinity(Max) => "any finite number",
        _ when double.IsPositiveInfinity(Max) => (MinInclusive ? "≥ " : "> ") + Fmt(Min),
        _ => "in " + (MinInclusive ? "[" : "(") + Fmt(Min) + ", " + Fmt(Max) + (MaxInclusive ? "]" : ")"),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the parameter and its valid range when <paramref name="value"/> is out of range.</summary>
    public double Validate(double value, string optimizerId)
    {
        bool ok = Kind switch
        {
            HyperparameterKind.Boolean => value is 0 or 1,
            HyperparameterKind.Choice => value == Math.Floor(value) && value >= 0 && value < Choices!.Length,
            _ => double.IsFinite(value)
                 && (MinInclusive ? value >= Min : value > Min)
                 && (MaxInclusive ? value <= Max : value < Max),
        };
        if (!ok)
            throw new ArgumentException($"{optimizerId}: {Name} = {Format(value)} is invalid; {Name} must be {RangeText}.", Name);
        return value;
    }

    /// <summary>Parses the text form used in spec strings (`true`, `after`, `6e-4`).</summary>
    public double Parse(string text, string optimizerId)
    {
        text = text.Trim();
        switch (Kind)
        {
            case HyperparameterKind.Boolean:
                if (text is "true" or "True" or "1" or "yes") return 1;
                if (text is "false" or "False" or "0" or "no") return 0;
                break;
            case HyperparameterKind.Choice:
                int i = Array.IndexOf(Choices!, text);
                if (i >= 0) return i;
                break;
            default:
                // inf, nan, 1e999: say which finite values are valid rather than "cannot read".
                if (IsNonFiniteText(text) || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double big) && !double.IsFinite(big)))
                    throw new ArgumentException($"{optimizerId}: {Name} = {text} is not a finite number; {Name} must be a finite number {RangeText.Replace("any finite number", "").Trim()}".TrimEnd() + ".", Name);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    return Validate(v, optimizerId);
                break;
        }
        throw new ArgumentException($"{optimizerId}: cannot read {Name} = '{text}'; {Name} must be {RangeText}.", Name);
    }

    private static bool IsNonFiniteText(string text) =>
        text.TrimStart('+', '-').ToLowerInvariant() is "inf" or "infinity" or "nan" or "∞";

    /// <summary>The text form of a stored value, the inverse of <see cref="Parse"/>: <c>true</c>/<c>false</c>, the choice's word, or the number round-trippable ("R").</summary>
    public string Format(double value) => Kind switch
    {
        HyperparameterKind.Boolean => value != 0 ? "true" : "false",
        HyperparameterKind.Choice when value >= 0 && value < Choices!.Length && value == Math.Floor(value) => Choices[(int)value],
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string Fmt(double v) => v.ToString(CultureInfo.InvariantCulture);
}
