using System.Text.Json;
using System.Text.Json.Serialization;

namespace FocusLab.Lab.Studies;

/// <summary>JSON conventions of the study outputs: snake_case, indented, non-finite numbers as named literals.</summary>
public static class StudyJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
