using InteractionLedger.Cases;
using InteractionLedger.Customers;
using InteractionLedger.Group;
using InteractionLedger.Hosting;
using InteractionLedger.Identity;
using InteractionLedger.Insights;
using InteractionLedger.Merging;
using InteractionLedger.Overview;
using InteractionLedger.Interactions;
using InteractionLedger.LocalPostgres;
using JasperFx;
using JasperFx.CodeGeneration;
using InteractionLedger.Access;
using InteractionLedger.Consent;
using InteractionLedger.Privacy;
using InteractionLedger.WebConsole;
using Marten;
using Npgsql;
using Wolverine;
using Wolverine.Marten;

// Everything outside the console formats and parses culture-free, whatever the machine's locale: the console sets the
// person's culture on its own requests only (ConsoleModule).
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
var builder = WebApplication.CreateBuilder(args);
// No assembly the ledger uses registers JasperFx extension services, so ApplyJasperFxExtensions is not called;
// applying the (empty) set once tells JasperFx's command discovery not to print each assembly it searches.
new JasperFx.CommandLine.CommandFactory().ApplyExtensions(new ServiceCollection());
// The start-up summary (StartupSummary) says where the service answers; in Development the framework's own
// lifetime lines would only repeat it.
if (builder.Environment.IsDevelopment()) builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

// Configuration is checked before a database is started, so a misconfigured start leaves nothing running.
var group = builder.Configuration.GetSection("Ledger:Group").Get<GroupCatalog>() ?? new GroupCatalog();
if (group.Brands.Count == 0)
    throw new InvalidOperationException("Ledger:Group:Brands lists no brand: configure the group's brands (see appsettings.json).");

// Commands that only read code and configuration (help, codegen, openapi) start no database; the others say which
// one they use before they touch it.
var command = LedgerCommandLine.Classify(args);
// The embedded database (and the development keys that come with it) is a convenience for trying the service: outside
// Development a missing connection string is a mistake to report, not a default to fall into.
if (command != LedgerCommand.WithoutDatabase && !builder.Environment.IsDevelopment() && string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("Ledger")))
{
    Console.Error.WriteLine($"No database configured for the {builder.Environment.EnvironmentName} environment: set ConnectionStrings__Ledger " +
                            "(README, 'Where the data lives'). The embedded database is for Development only (ASPNETCORE_ENVIRONMENT=Development).");
    return 2;
}

LedgerDatabase database;
try
{
    database = command == LedgerCommand.WithoutDatabase
        ? LedgerDatabase.NotNeeded(builder.Configuration)
        : await LedgerDatabase.ResolveAsync(builder.Configuration, message => Console.WriteLine($"[ledger] {message}"));
}
catch (Exception refused) when (refused is PostgresNotInstalledException or ClusterInUseException)
{
    Console.Error.WriteLine(refused.Message);
    return 2;
}
if (command == LedgerCommand.Database) Console.WriteLine($"[ledger] Database: {database.Description}");
builder.Services.AddSingleton(database);
if (command == LedgerCommand.Service) builder.Services.AddHostedService<StartupSummary>();

// Schema is created on the fly only where nobody else owns it: on the embedded cluster and in Development.
// Elsewhere the DBA applies migrations/ and a model drift fails loudly instead of altering production tables.
var autoCreate = builder.Environment.IsDevelopment() ? AutoCreate.CreateOrUpdate : AutoCreate.None;

builder.Services.AddSingleton(group);
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger:Relationship").Get<RelationshipPolicy>() ?? new RelationshipPolicy());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddLedgerAuthentication(builder.Configuration, group.Brands.Select(b => b.Code).ToList(),
    isDevelopment: builder.Environment.IsDevelopment());
builder.Services.AddHttpContextAccessor();
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(LedgerStore.Tuned(database.ConnectionString)));
builder.Services.AddSingleton(new DatabaseLocks(database.ConnectionString));
builder.Services.AddAccessLedger(builder.Configuration, database, ownsSchema: autoCreate != AutoCreate.None,
    developmentKeyAllowed: builder.Environment.IsDevelopment());
builder.Services.AddLedgerReadingLimits(builder.Configuration);
builder.Services.AddSingleton<PersonalDataGate>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger:Retention").Get<RetentionPolicy>() ?? new RetentionPolicy());
builder.Services.AddSingleton<RetentionRunner>();
builder.Services.AddHostedService<RetentionSchedule>();

var marten = builder.Services.AddMarten(opts => LedgerStore.Configure(opts, database.ConnectionString, autoCreate))
    // Identity-map sessions: documents a write reads in its first round trip are found there by the inline
    // projections instead of being read again (CustomerStream.LockWithAsync). Handlers decide on the write model and
    // return events, never change it: a projection applies those events to the very instance the handler read.
    .UseIdentitySessions()
    .IntegrateWithWolverine(integration =>
    {
        integration.MessageStorageSchemaName = "wolverine";
        // Each asynchronous view (Insights) runs on exactly one node of however many run, and moves when that node
        // stops: Wolverine assigns them (no AddAsyncDaemon, which would run them on every node).
        integration.UseWolverineManagedEventSubscriptionDistribution = true;
    });
// In Development the model's tables are created at start, one process at a time (SchemaOnStartup): a service and a
// demo-data run starting together on a new database would otherwise both create them and one would fail.
if (autoCreate != AutoCreate.None) builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SchemaOnStartup>());
builder.Services.ConfigureMarten((services, opts) =>
{
    opts.Logger(new PersonalDataFreeMartenLogger(services.GetRequiredService<ILoggerFactory>().CreateLogger("Marten")));
    opts.Listeners.Add(new EventAuthorship(services.GetRequiredService<IHttpContextAccessor>()));
});

// Handler code is generated ahead of time (Internal/Generated, by `codegen write`, see README): production starts
// without compiling anything and never loads Roslyn, and a handler whose generated code is missing stops the start
// instead of failing its first request. Development (the tests) loads the same generated code and compiles only
// what is missing, so a handler changed without regenerating still runs there.
builder.Services.CritterStackDefaults(defaults =>
{
    defaults.Production.GeneratedCodeMode = TypeLoadMode.Static;
    defaults.Production.AssertAllPreGeneratedTypesExist = true;
    defaults.Development.GeneratedCodeMode = TypeLoadMode.Auto;
});

builder.Host.UseWolverine(opts =>
{
    // Under a test runner the entry assembly is the test assembly; handlers live here.
    opts.ApplicationAssembly = typeof(Program).Assembly;
    opts.Policies.AutoApplyTransactions();
    opts.Policies.UseDurableLocalQueues();
    opts.AutoBuildMessageStorageOnStartup = autoCreate;
    // How fast the nodes notice one another leaving: a view on a node that died moves once its node is stale.
    builder.Configuration.GetSection("Ledger:Cluster").Get<ClusterTimings>()?.ApplyTo(opts.Durability);
});

builder.Services.AddPersonalDataFreeLogging();
builder.Services.ConfigureHttpJsonOptions(json => ApiJson.Configure(json.SerializerOptions));
// The console brings MVC (Razor Pages), whose JSON options Swashbuckle then describes the API with: the same contract.
builder.Services.Configure<Microsoft.AspNetCore.Mvc.JsonOptions>(json => ApiJson.Configure(json.JsonSerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<HandledExceptionLog>();
builder.Services.Configure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(HandledExceptionLog.Configure);
builder.Services.AddExceptionHandler<InputExceptionHandler>();
builder.Services.AddExceptionHandler<StorageConflictExceptionHandler>();
builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes);
builder.Services.AddLedgerOpenApi();
builder.Services.AddLedgerTelemetry(builder.Configuration);
builder.Services.AddLedgerInsights(builder.Configuration);
builder.Services.AddLedgerConsole(builder.Configuration, builder.Environment.IsDevelopment(), ownsSchema: autoCreate != AutoCreate.None);
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);

var app = builder.Build();

app.UseExceptionHandler();
app.UseLedgerConsole();
app.UseRequestLimits();
app.UseStorableQueryText();
app.UseStatusCodePages();
// The API description is public, like the door sign: it names no customer.
app.UseLedgerOpenApi();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapLedgerHealth();
app.MapLedgerMetrics();
app.MapProblemPages();

// One module per capability: each maps its routes with their role policy and reach rule (a test fails for a route
// mapped without a declared reach rule).
app.MapCustomersModule();
app.MapInteractionsModule();
app.MapIdentityModule();
app.MapOverviewModule();
app.MapMergingModule();
app.MapCasesModule();
app.MapConsentModule();
app.MapPrivacyModule();
app.MapGroupModule();
app.MapInsightsModule();
app.MapDevelopmentSignInModule(app.Environment);
app.MapLedgerConsole();

return await app.RunJasperFxCommands(args);

/// <summary>Entry point, public so the test host can reach it.</summary>
public partial class Program;
