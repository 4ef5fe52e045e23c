using System.Globalization;
using System.Text;

namespace Orleans.Raft.Web.Tests;

/// <summary>
/// Parses the Prometheus text exposition format (version 0.0.4): a sample a line, 'name{label="value",...} value
/// [timestamp]'; '#' lines (HELP, TYPE, EOF) and blank lines carry no samples. Throws on a line it cannot read.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            samples.Add(ParseLine(line) ?? throw new FormatException($"line {number} is not a sample: '{line}'"));
        }
        return samples;
    }

    /// <summary>The sum of a metric's samples over all its label sets; null when it has none.</summary>
    public static double? Sum(IEnumerable<PrometheusSample> samples, string name)
    {
        var matching = samples.Where(s => s.Name == name).ToArray();
        return matching.Length == 0 ? null : matching.Sum(s => s.Value);
    }

    private static PrometheusSample? ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ') i++;
        var name = line[..i];
        if (name.Length == 0) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) return null;
                if (line[i] == '}') { i++; break; }
                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"') return null;
                var label = line[i..eq].Trim();
                i = eq + 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) return null;
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\' && i < line.Length)
                    {
                        var escaped = line[i++];
                        value.Append(escaped == 'n' ? '\n' : escaped);
                    }
                    else value.Append(c);
                }
                labels[label] = value.ToString();
                if (i < line.Length && line[i] == ',') i++;
            }
        }
        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2) return null;
        var text = rest[0] switch { "+Inf" => "Infinity", "-Inf" => "-Infinity", var t => t };
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? new PrometheusSample(name, labels, v) : null;
    }
}
