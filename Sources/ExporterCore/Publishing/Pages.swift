import BackupScan
import Exposition
import FoundationEssentials
import MicroHTTPD
import Synchronization

/// The responses served until the next collection.
///
/// The metrics are rendered in the formats and encodings that scrapes asked for lately (see
/// ``MetricsDemand``), when the pages are made; any other is rendered on the first request that
/// asks for it, then kept. Prometheus asks for one of the four, so rendering and compressing all
/// four after every scan was work nobody read (it was most of an idle daemon's CPU time). What
/// did not change since the last pages is not rendered or compressed again (``RenderingMemory``).
public struct Pages: Sendable {
    public let landing: HTTPResponse
    private let metrics: MetricsResponses

    init(state: PublishedState, telemetryPath: String, headers: ResponseHeaders, demand: MetricsDemand, memory: RenderingMemory) {
        metrics = MetricsResponses(families: state.families(lines: memory.lines), headers: headers, demand: demand, memory: memory)
        landing = headers.response(200, contentType: "text/html; charset=utf-8",
                                   text: LandingPage.html(state: state.merged, runtimeProbe: state.runtime != nil, telemetryPath: telemetryPath))
    }

    /// The metrics response for a format and encoding.
    public func metrics(_ format: ExpositionFormat, gzip: Bool) -> HTTPResponse {
        metrics.response(MetricsVariant(format: format, gzip: gzip))
    }
}

/// One of the four metrics responses: a format, plain or gzip-compressed.
struct MetricsVariant: Hashable, Sendable {
    let format: ExpositionFormat
    let gzip: Bool
}

/// Which metrics variants scrapes asked for lately, so the next pages render those ahead, on the
/// thread that publishes a collection, and a scrape only hands over bytes.
final class MetricsDemand: Sendable {
    /// How long a variant stays wanted after it was last asked for: Prometheus' default look-back,
    /// longer than any usual scrape interval.
    static let memory = Duration.seconds(300)
    private let lastAsked = Mutex<[MetricsVariant: ContinuousClock.Instant]>([:])

    func note(_ variant: MetricsVariant) {
        let now = ContinuousClock.now
        lastAsked.withLock { $0[variant] = now }
    }

    /// The variants asked for within ``memory``.
    var wanted: [MetricsVariant] {
        let now = ContinuousClock.now
        return lastAsked.withLock { $0.filter { now - $0.value < Self.memory }.map(\.key) }
    }
}

/// What one set of pages leaves for the next, so that an unchanged part is neither rendered nor
/// compressed again. The one statement of the layers, each keyed so that a hit is the same bytes
/// a fresh render would give (`TableLineCacheTests`, `PagesTests.theFourVariantsCarryTheSameSamples`):
/// 1. Per table, its lines (``TableLineCache``), keyed by the table's measurement and whether its
///    user snapshots get detail: equal measurements render equal lines.
/// 2. The families drawn from the tables (and the per-tag sums), kept while layer 1 kept every
///    table (`TableLineCache.stableFamilies`), under a generation that changes with any table.
/// 3. Per format, the stable part's text for plain responses, keyed by that generation; a plain
///    response is sent from it and the per-scan part, never joined or copied.
/// 4. Per format and piece of the stable part (a family's head, or a block of 32 tables' lines:
///    ``TextPiece``), its compressed bytes (``PiecewiseGzip``), keyed by the piece's text: after a
///    scan that changed a table, only the blocks holding its changed lines and the per-scan part
///    (timings, headroom, process) are compressed again.
/// 5. Per collection, each variant's response (`MetricsResponses`), made once; only the variants
///    scrapes asked for within ``MetricsDemand/memory`` (5 minutes) are made ahead.
/// The per-scan families come last in an exposition (`ExpositionFamilies`), which is what lets
/// layers 2-4 keep the part before them.
final class RenderingMemory: Sendable {
    let lines = TableLineCache()
    private let gzip = Dictionary(uniqueKeysWithValues: ExpositionFormat.allCases.map { ($0, PiecewiseGzip<TextPiece.Key>()) })
    /// Per format, the last stable part rendered and its generation.
    private let stableText = Mutex<[ExpositionFormat: (generation: Int, text: String)]>([:])

    /// `families` in `format`, as its stable and volatile parts (joined by the response as it is
    /// sent, never here); the stable part is not rendered again while its generation is the one
    /// rendered last.
    func text(_ families: ExpositionFamilies, as format: ExpositionFormat) -> [String] {
        if let generation = families.stableGeneration, let kept = stableText.withLock({ $0[format] }), kept.generation == generation {
            return [kept.text, volatileText(families, as: format)]
        }
        let stable = TextFormat.renderParts(ExpositionFamilies(stable: families.stable, volatile: []), as: format).stable
        if let generation = families.stableGeneration { stableText.withLock { $0[format] = (generation, stable) } }
        return [stable, volatileText(families, as: format)]
    }

    /// `families` in `format`, gzip-compressed; only the stable part's pieces that changed are
    /// compressed again.
    func gzipped(_ families: ExpositionFamilies, as format: ExpositionFormat) -> [UInt8] {
        gzip[format]!.compress(pieces: TextFormat.pieces(families.stable, as: format).map { ($0.key, $0.parts) },
                               rest: volatileText(families, as: format))
    }

    private func volatileText(_ families: ExpositionFamilies, as format: ExpositionFormat) -> String {
        TextFormat.renderParts(ExpositionFamilies(stable: [], volatile: families.volatile), as: format).volatile
    }
}

/// The metrics of one collection in each variant: the wanted ones rendered when made, any other
/// when first asked for.
private final class MetricsResponses: Sendable {
    private let families: ExpositionFamilies
    private let headers: ResponseHeaders
    private let demand: MetricsDemand
    private let memory: RenderingMemory
    private let rendered: Mutex<[MetricsVariant: HTTPResponse]>

    init(families: ExpositionFamilies, headers: ResponseHeaders, demand: MetricsDemand, memory: RenderingMemory) {
        self.families = families
        self.headers = headers
        self.demand = demand
        self.memory = memory
        rendered = Mutex(Dictionary(uniqueKeysWithValues: demand.wanted.map { ($0, Self.render($0, families, headers, memory)) }))
    }

    func response(_ variant: MetricsVariant) -> HTTPResponse {
        demand.note(variant)
        if let response = rendered.withLock({ $0[variant] }) { return response }
        // Rendered outside the lock, so a request for a prepared variant never waits behind a
        // render; two first requests for the same variant may both render it, and both results
        // are the same.
        let response = Self.render(variant, families, headers, memory)
        return rendered.withLock { rendered in
            if let first = rendered[variant] { return first }
            rendered[variant] = response
            return response
        }
    }

    private static func render(_ variant: MetricsVariant, _ families: ExpositionFamilies, _ headers: ResponseHeaders,
                               _ memory: RenderingMemory) -> HTTPResponse {
        let vary = [(name: "Vary", value: "Accept, Accept-Encoding")]
        let contentType = variant.format.contentType
        return variant.gzip
            ? headers.response(200, contentType: contentType, gzipped: memory.gzipped(families, as: variant.format), own: vary)
            : headers.response(200, contentType: contentType, textParts: memory.text(families, as: variant.format), own: vary)
    }
}

/// Holds the current ``Pages``; swapped whole after each collection, read by every request.
public final class PageStore: Sendable {
    private let current: Mutex<Pages>

    public init(_ pages: Pages) {
        current = Mutex(pages)
    }

    /// The pages of the latest collection.
    public var pages: Pages { current.withLock { $0 } }

    /// Replaces the pages; requests already answered keep the responses they had.
    public func publish(_ pages: Pages) {
        current.withLock { $0 = pages }
    }
}
