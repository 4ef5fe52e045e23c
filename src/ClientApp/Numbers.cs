using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Orleans.Raft.ClientApp;

/// <summary>Number parsing for every verb, in one place: invariant culture, a range, one wording for errors.</summary>
public static class Numbers
{
    public static Option<double> Option(string name, string description, double defaultValue, double min, double max, string unit) => new(name)
    {
        Description = $"{description} ({Format(min)} to {Format(max)} {unit}; default {Format(defaultValue)})",
        HelpName = unit.ToUpperInvariant(),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => Parse(r, name, min, max, unit),
    };

    public static Argument<double> Argument(string name, string description, double min, double max, string unit = "") => new(name)
    {
        Description = $"{description} ({Format(min)} to {Format(max)}{(unit.Length > 0 ? " " + unit : "")})",
        CustomParser = r => Parse(r, name, min, max, unit),
    };

    public static double Parse(ArgumentResult result, string name, double min, double max, string unit)
    {
        var text = result.Tokens.Single().Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        result.AddError($"{name} wants a number from {Format(min)} to {Format(max)}{(unit.Length > 0 ? " " + unit : "")}, got '{text}'");
        return min;
    }

    public static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
