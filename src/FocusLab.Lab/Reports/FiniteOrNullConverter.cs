using System.Text.Json;
using System.Text.Json.Serialization;

namespace FocusLab.Lab.Reports;

/// <summary>Writes non-finite doubles as JSON null (and reads null back as NaN), so every JSON reader accepts the study files.</summary>
internal sealed class FiniteOrNullConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value)) writer.WriteNumberValue(value);
        else writer.WriteNullValue();
    }
}
