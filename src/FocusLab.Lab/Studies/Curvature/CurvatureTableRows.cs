using CsvHelper;

namespace FocusLab.Lab.Studies.Curvature;

/// <summary>A row of <c>geometry.csv</c>: one measured quantity of a <see cref="GeometryReport"/> (yes/no flags as 1/0).</summary>
[CsvRecord]
internal sealed partial record CurvatureMetricRow(
    [property: CsvColumn("metric")] string Metric,
    [property: CsvColumn("value")] double Value);

/// <summary>A row of <c>slice_1d.csv</c>: the loss at θ + α·d along the random direction d.</summary>
[CsvRecord]
internal sealed partial record SliceRow(
    [property: CsvColumn("alpha")] double Alpha,
    [property: CsvColumn("loss")] double Loss);
