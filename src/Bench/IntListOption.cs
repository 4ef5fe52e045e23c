using System.CommandLine;
using System.Globalization;

namespace Orleans.Raft.Bench;

/// <summary>A comma-separated list of whole numbers in a range, such as "--clients 64,256".</summary>
internal static class IntListOption
{
    public static Option<int[]> Create(string name, string description, int[] defaults, int min, int max) => new(name)
    {
        Description = $"{description}, comma-separated ({min} to {max} each; default {string.Join(",", defaults)})",
        HelpName = "N,N,...",
        DefaultValueFactory = _ => defaults,
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            var parts = text.Split(',');
            if (parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max))
                return [.. parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
            r.AddError($"{name} wants numbers from {min} to {max}, comma-separated, got '{text}'");
            return [];
        },
    };
}
