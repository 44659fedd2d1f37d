using System.Text.Json.Serialization;
using System.Text.Json;

namespace FocusLab.Lab.Reports;

/// <summary>
/// JSON of the studies' resumable stores (cell files, finished runs, grids): snake_case, one line, and
/// non-finite numbers as named literals so a diverged run's NaN or ∞ reads back exactly. Documents meant
/// for other tools use <see cref="Reports.StudyOutput.Json"/> (non-finite numbers as null).
/// </summary>
internal static class StudyJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
