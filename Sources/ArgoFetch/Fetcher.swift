import ArgoCore
import Foundation
import Synchronization

/// Executes the requests plugins describe, for every source and symbol of the
/// process, over one shared ``HTTPTransport``.
///
/// Per source: a token-bucket rate limit and a cap on requests in flight
/// (shared by every symbol's work; waiting suspends, never blocks a thread, and
/// a saturated source delays only itself), a TTL cache of successful responses
/// (bounded in bytes for all sources together),
/// coalescing of concurrent identical requests into one upstream call, retries
/// with capped exponential backoff and full jitter (honouring `Retry-After` and
/// `X-RateLimit-Reset`), a circuit breaker, secret redaction and stats.
public final class Fetcher: Sendable {
    let transport: HTTPTransport
    let clock: PolicyClock
    let observer: (any FetchObserver)?
    private let channels = Mutex<[String: SourceChannel]>([:])
    let cache: ResponseCache
    /// On the policy clock: a response whose TTL ends by then is not cached (nil: keep all).
    private let keepOnlyPast = Mutex<Double?>(nil)

    /// - Parameters:
    ///   - transport: the process's shared client.
    ///   - clock: what cache TTLs, breaker cooldowns, rate-limit waits and retry
    ///     backoff read and wait on (a clock the test moves in tests). Deadlines
    ///     and each attempt's timeout stay on the continuous clock: they bound real I/O.
    ///   - observer: told of every fetch that went upstream (metrics).
    ///   - cacheBytes: what the response cache of every source may hold together.
    public init(transport: HTTPTransport, clock: any Clock<Duration> = ContinuousClock(), observer: (any FetchObserver)? = nil,
                cacheBytes: Int = Fetcher.defaultCacheBytes) {
        self.transport = transport
        self.clock = PolicyClock(clock)
        self.observer = observer
        cache = ResponseCache(maxBytes: cacheBytes)
    }

    /// The response cache's default bound: 64 MiB.
    public static let defaultCacheBytes = 64 << 20

    /// Says when responses could next be asked for (``NextUse``), so that the
    /// cache keeps only those still fresh then. Entries already cached stay.
    public func expectNextUse(_ next: NextUse) {
        let now = clock.now
        keepOnlyPast.withLock {
            $0 = switch next {
            case .anytime: nil
            case .after(let delay): now + delay.seconds
            case .never: .infinity
            }
        }
    }

    /// Registers a source or updates its policy (a config reload). Stats survive
    /// an update; the cache, limits and breaker start afresh when the policy changed.
    public func configure(_ policy: SourcePolicy) {
        let changed = channels.withLock { channels in
            if let existing = channels[policy.name], existing.policy == policy { return false }
            channels[policy.name] = SourceChannel(policy: policy, stats: channels[policy.name]?.stats ?? SourceStats(), clock: clock)
            return true
        }
        if changed { cache.removeAll(source: policy.name) }
    }

    /// Drops a source that no longer exists.
    public func remove(source: String) {
        _ = channels.withLock { $0.removeValue(forKey: source) }
        cache.removeAll(source: source)
    }

    /// The source's redactor, for errors the caller builds itself (plugin errors).
    public func redactor(for source: String) -> Redactor {
        channels.withLock { $0[source]?.redactor } ?? Redactor(secrets: [])
    }

    /// Stats of one source, with its breaker's current phase.
    public func stats(for source: String) -> SourceStatsSnapshot? {
        guard let channel = channels.withLock({ $0[source] }) else { return nil }
        var snapshot = channel.stats.snapshot
        snapshot.circuit = channel.breaker.phase(now: clock.now)
        return snapshot
    }

    /// Stats of every source.
    public var allStats: [String: SourceStatsSnapshot] {
        let names = channels.withLock { Array($0.keys) }
        return Dictionary(uniqueKeysWithValues: names.compactMap { name in stats(for: name).map { (name, $0) } })
    }

    /// Removes a cached response whose body turned out unusable (a rate-limit
    /// note in a 200), so the next fetch asks upstream again.
    public func forget(_ response: FetchResponse, source: String) {
        cache.remove(source: source, key: response.cacheKey)
    }

    /// Records a failure the plugin found in a 2xx body (its `parse` raised a
    /// typed error), so it counts in stats and the breaker like an HTTP failure.
    public func recordParseFailure(_ kind: FetchError.Kind, source: String) {
        guard let channel = channels.withLock({ $0[source] }) else { return }
        channel.stats.update { $0.failures[kind.rawValue, default: 0] += 1 }
        if FetchError(kind, "").countsAgainstSource { channel.breaker.recordFailure(now: clock.now) }
    }

    /// Fetches `request` for `source`, all before `deadline`.
    ///
    /// Returns a 2xx response (fresh, cached or shared with an identical request
    /// in flight); throws a ``FetchError`` with the kind, the attempts made and
    /// a message free of secrets otherwise.
    public func fetch(_ request: FetchRequest, source: String, deadline: ContinuousClock.Instant) async throws(FetchError) -> FetchResponse {
        guard let channel = channels.withLock({ $0[source] }) else {
            throw FetchError(.plugin, "unknown source '\(source)'")
        }
        let key = request.cacheKey(redactor: channel.redactor)
        channel.stats.update { $0.requests += 1 }
        if channel.policy.cacheTTL > 0, var hit = cache.get(source: source, key: key, now: clock.now) {
            channel.stats.update { $0.cacheHits += 1 }
            hit.fromCache = true
            hit.attempts = 0
            hit.latency = 0
            return hit
        }
        let (flight, leader) = channel.flights.withLock { flights -> (SharedFlight?, Bool) in
            if let existing = flights[key] { return (existing, false) }
            guard channel.breaker.admit(now: clock.now) else { return (nil, false) }
            let flight = SharedFlight()
            flights[key] = flight
            return (flight, true)
        }
        guard let flight else {
            let wait = channel.breaker.remainingCooldown(now: clock.now)
            channel.stats.update { $0.failures[FetchError.Kind.circuitOpen.rawValue, default: 0] += 1 }
            throw FetchError(.circuitOpen, "circuit open after \(channel.policy.breakerThreshold) consecutive failures (next try in \(Int(wait.rounded(.up))) s)", retryAfter: wait)
        }
        let outcome: SharedFlight.Outcome
        if leader {
            outcome = await perform(request, key: key, channel: channel, deadline: deadline)
            flight.finish(outcome)
        } else {
            channel.stats.update { $0.coalesced += 1 }
            outcome = await flight.wait()
        }
        switch outcome {
        case .success(var response):
            response.coalesced = !leader
            return response
        case .failure(let error):
            throw error
        }
    }

    /// One upstream fetch with its retries, run as the shared flight for `key`.
    private func perform(_ request: FetchRequest, key: String, channel: SourceChannel, deadline: ContinuousClock.Instant) async -> Result<FetchResponse, FetchError> {
        let attempts = AttemptCounter()
        let started = ContinuousClock.now
        let result: Result<FetchResponse, FetchError>
        do {
            // Every wait inside is bounded by the deadline itself (the rate-limit
            // reservation, the in-flight permit, the backoff check, each attempt's
            // HTTP deadline), which costs less than racing the whole loop against a timer.
            let response = try await attemptLoop(request, key: key, channel: channel, deadline: deadline, attempts: attempts)
            result = .success(response)
        } catch let error as FetchError {
            result = .failure(error)
        } catch {
            let count = attempts.value
            let message = count == 0 ? "deadline reached before the first attempt" : "deadline reached"
            result = .failure(FetchError(.timeout, message, attempts: count))
        }
        let elapsed = started.duration(to: .now).seconds
        switch result {
        case .success(let response):
            let now = clock.now
            if keepOnlyPast.withLock({ $0.map { now + channel.policy.cacheTTL > $0 } ?? true }) {
                cache.put(source: channel.policy.name, key: key, response, ttl: channel.policy.cacheTTL, now: now)
            }
            channel.breaker.recordSuccess()
            channel.stats.update {
                $0.latency.record(milliseconds: elapsed * 1000)
                $0.bytesIn += response.body.count
            }
        case .failure(let error):
            if error.countsAgainstSource { channel.breaker.recordFailure(now: clock.now) } else { channel.breaker.recordNeutral() }
            channel.stats.update {
                $0.failures[error.kind.rawValue, default: 0] += 1
                if error.attempts > 0 { $0.latency.record(milliseconds: elapsed * 1000) }
            }
        }
        if let observer, (try? result.get()) != nil || (result.failure?.attempts ?? 0) > 0 {
            observer.fetched(source: channel.policy.name, seconds: elapsed, failure: result.failure?.kind)
        }
        _ = channel.flights.withLock { $0.removeValue(forKey: key) }
        return result
    }

    private func attemptLoop(
        _ request: FetchRequest, key: String, channel: SourceChannel, deadline: ContinuousClock.Instant, attempts: AttemptCounter
    ) async throws -> FetchResponse {
        let policy = channel.policy
        let started = ContinuousClock.now
        var lastAttemptSeconds = 0.0
        for attempt in 1...max(1, policy.maxAttempts) {
            try await channel.waitForRateLimit(deadline: deadline)
            try await channel.inFlight.acquire(before: deadline)
            let count = attempts.increment()
            channel.stats.update {
                $0.attempts += 1
                if attempt > 1 { $0.retries += 1 }
                $0.bytesOut += request.body?.count ?? 0
            }
            let attemptStart = ContinuousClock.now
            let attemptDeadline = min(attemptStart + .seconds(clamping: policy.timeout), deadline)
            let outcome: Result<(status: Int, headers: [(name: String, value: String)], body: [UInt8]), FetchError>
            do {
                outcome = .success(try await transport.send(request, deadline: attemptDeadline, body: BodyRule(maxBytes: policy.maxBodyBytes, maxItems: request.maxItems)))
            } catch {
                outcome = .failure(Self.classify(error, timeout: policy.timeout, attempts: count, redactor: channel.redactor))
            }
            channel.inFlight.release()
            lastAttemptSeconds = attemptStart.duration(to: .now).seconds
            var failure: FetchError
            switch outcome {
            case .success(let answer):
                let wait = RetryRules.requestedWait(headers: answer.headers, wallNow: Date())
                guard let kind = RetryRules.kind(ofStatus: answer.status) else {
                    if RetryRules.budgetExhausted(headers: answer.headers), let wait { channel.block(for: wait) }
                    return FetchResponse(status: answer.status, headers: answer.headers, body: answer.body, attempts: count,
                                         latency: started.duration(to: .now).seconds, cacheKey: key)
                }
                if kind == .rateLimited, let wait { channel.block(for: wait) }
                failure = FetchError(kind, channel.redactor.redact(Self.describe(status: answer.status, body: answer.body)),
                                     status: answer.status, retryAfter: kind == .rateLimited ? wait : nil, attempts: count)
            case .failure(let error):
                failure = error
            }
            guard failure.isRetryable, attempt < policy.maxAttempts else { throw failure }
            let delay = failure.retryAfter ?? RetryRules.backoff(retry: attempt, base: policy.backoffBase, cap: policy.backoffCap, unit: Double.random(in: 0...1))
            // Never a retry that would end past the deadline: it needs the wait and about as long as the last attempt took.
            let expectedEnd = ContinuousClock.now + .seconds(clamping: delay + min(lastAttemptSeconds, policy.timeout))
            guard expectedEnd < deadline else { throw failure }
            try await clock.sleep(seconds: delay)
        }
        throw FetchError(.plugin, "no attempt was made", attempts: attempts.value)
    }

    /// "HTTP 503: <the body's first line, shortened>".
    /// The failure a fetch reports when its last answer has `status` (nil for
    /// a 2xx), so that a plugin's examples and saved responses meet the same
    /// status handling as a live fetch: a 404 never reaches `parse`.
    public static func failure(status: Int, body: [UInt8], redactor: Redactor) -> FetchError? {
        guard let kind = RetryRules.kind(ofStatus: status) else { return nil }
        return FetchError(kind, redactor.redact(describe(status: status, body: body)), status: status)
    }

    static func describe(status: Int, body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(400), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        let snippet = text.count > 160 ? String(text.prefix(160)) + "…" : text
        return snippet.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(snippet)"
    }

    /// A transport error as a fetch failure.
    static func classify(_ error: any Error, timeout: Double, attempts: Int, redactor: Redactor) -> FetchError {
        if error is CancellationError { return FetchError(.timeout, "cancelled at the deadline", attempts: attempts) }
        if let error = error as? HTTP1ClientError {
            switch error {
            case .deadline: return FetchError(.timeout, "no answer within \(formatSeconds(timeout))", attempts: attempts)
            case .bodyTooLarge: return FetchError(.badResponse, "response body too large", attempts: attempts)
            case .invalidURL, .invalidHeader: return FetchError(.plugin, redactor.redact(error.description), attempts: attempts)
            case .malformedResponse: return FetchError(.badResponse, redactor.redact(error.description), attempts: attempts)
            case .closedBeforeResponse, .shutDown, .unknownHost: return FetchError(.transient, "connection failed: \(error)", attempts: attempts)
            }
        }
        let text = String(describing: error)
        let lowered = text.lowercased()
        if lowered.contains("deadline") || lowered.contains("timeout") || lowered.contains("timedout") || lowered.contains("cancelled") {
            return FetchError(.timeout, "no answer within \(formatSeconds(timeout))", attempts: attempts)
        }
        return FetchError(.transient, "connection failed: \(redactor.redact(text))", attempts: attempts)
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.2f s", seconds)
}

/// Attempts made by one fetch, readable after a deadline cut it short.
final class AttemptCounter: Sendable {
    private let count = Mutex(0)
    func increment() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}

/// One source's limits, breaker and stats.
final class SourceChannel: Sendable {
    let policy: SourcePolicy
    let redactor: Redactor
    let bucket: TokenBucket?
    let inFlight: AsyncSemaphore
    let breaker: CircuitBreaker
    let stats: SourceStats
    let flights = Mutex<[String: SharedFlight]>([:])
    private let clock: PolicyClock

    init(policy: SourcePolicy, stats: SourceStats, clock: PolicyClock) {
        self.policy = policy
        self.stats = stats
        self.clock = clock
        redactor = Redactor(secrets: policy.secrets)
        bucket = policy.rateLimit.map { TokenBucket.within(requests: $0.requests, per: $0.per, now: clock.now) }
        inFlight = AsyncSemaphore(permits: policy.maxConcurrency)
        breaker = CircuitBreaker(threshold: policy.breakerThreshold, cooldown: policy.breakerCooldown)
    }

    /// Waits for a rate-limit token on the policy clock; fails at once when the wait would pass the deadline.
    func waitForRateLimit(deadline: ContinuousClock.Instant) async throws {
        guard let bucket else { return }
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline).seconds
            guard let (wait, epoch) = bucket.reservation(now: clock.now, maxWait: remaining) else { throw pastDeadline() }
            if wait > 0 {
                stats.update { $0.rateLimitWait += wait }
                do { try await clock.sleep(seconds: wait) } catch {
                    bucket.giveBack()
                    throw error
                }
                // A 429 while this caller slept blocked the bucket: its place was voided, take a new one.
                guard bucket.isCurrent(epoch) else { continue }
            }
            // Due: leave only when the requests actually sent stay within the bucket.
            while case let late = bucket.release(now: clock.now), late > 0 {
                guard ContinuousClock.now.advanced(by: .seconds(late)) < deadline else { throw pastDeadline() }
                stats.update { $0.rateLimitWait += late }
                try await clock.sleep(seconds: late)
            }
            return
        }
    }

    private func pastDeadline() -> FetchError {
        let limit = policy.rateLimit!
        return FetchError(.rateLimited, "rate limit of \(limit.requests) per \(formatSeconds(limit.per)) would delay past the deadline")
    }

    /// Tightens the bucket until an announced reset.
    func block(for seconds: Double) { bucket?.block(until: clock.now + seconds) }
}
