// Tables: write a CSV (a known function of mixed columns plus noise), let Trainwright infer the column roles and the
// task, fit fastai's tabular model, and keep the fitted preprocessing as JSON, ready to travel with the model.
//
//   dotnet run -c Release --project examples/08_Tabular [-- --epochs N] [--out DIR]

using System.Globalization;
using System.Text;
using Trainwright.Callbacks;
using Trainwright.Data.Tables;
using Trainwright.Examples;
using Trainwright.Learning;
using Trainwright.Models;
using Trainwright.Optim;

var folder = ExampleArgs.OutputFolder(args, "08_Tabular");
int epochs = ExampleArgs.Int(args, "--epochs", 5);

// 1. A table of 5,000 loans: income and debt (real, some missing), a region (text), a number of past loans (few whole
//    numbers), an application date, an ID, and whether the loan was repaid — a known rule plus 5% noise.
var csv = Path.Combine(folder, "loans.csv");
var rng = new Random(7);
var text = new StringBuilder("loan_id,income,debt,region,past_loans,applied,repaid\n");
string[] regions = ["north", "south", "east", "west"];
for (int i = 0; i < 5000; i++)
{
    double income = 20 + rng.NextDouble() * 80, debt = rng.NextDouble() * 50;
    int region = rng.Next(4), past = rng.Next(6);
    var applied = new DateTime(2022, 1, 1).AddDays(rng.Next(730));
    bool repaid = income / 10 - debt / 5 + (region == 1 ? -1.5 : 0.5) + past * 0.4 + (applied.Month == 12 ? -1 : 0) > 0;
    if (rng.NextDouble() < 0.05) repaid = !repaid;
    text.Append(CultureInfo.InvariantCulture,
        $"L{i:D5},{(rng.NextDouble() < 0.03 ? "NA" : income.ToString("F2", CultureInfo.InvariantCulture))},{debt:F2},{regions[region]},{past},{applied:yyyy-MM-dd},{(repaid ? "yes" : "no")}\n");
}
File.WriteAllText(csv, text.ToString());

// 2. Load it: roles, task and split are inferred (and printed), preprocessing is fitted on the training rows only.
using var data = TabularData.Load(csv, new TabularOptions { Target = "repaid" });
Console.WriteLine(data.Describe());

// 3. fastai's tabular model on the one packed input tensor (codes, then normalised values), trained by the usual Learner.
var model = new TabularModel(data.ModelSettings() with { Layers = [200, 100], Dropouts = [0.05, 0.1] });
var learner = new Learner(model, data.ToDataBunch(batchSize: 128, seed: 1), data.Loss, Adam.Factory(), lr: 1e-2);
learner.Add(StandardCallbacks.For(ShowProgress.Yes, data.Metrics()));
learner.FitOneCycle(epochs, maxLr: 1e-2);

// 4. What a model file would carry besides the weights: the model's settings and the fitted preprocessing, as data.
var stored = Path.Combine(folder, "preprocessing.json");
File.WriteAllText(stored, data.Preprocessor.ToJson());
var valid = learner.Get<AvgStats>().Valid!;
Console.WriteLine($"valid accuracy {valid.Metrics["accuracy"]:P2}, macro F1 {valid.Metrics["macro_f1"]:F3}; preprocessing in {stored}");
