import Foundation

/// Everything AppHost starts, in the order the table lists it. Each service issue adds its
/// service here, with the stores (and services) it needs as dependencies.
func appHostPlan(_ settings: AppHostSettings) -> [ProcessSpec] {
    var redisCommand: [String] = [
        settings.redisServer,
        "--bind", settings.redis.host, "--port", String(settings.redis.port),
        "--dir", settings.dataDirectory + "/redis",
        "--appendonly", "yes", "--save", "",
    ]
    if let password = settings.redis.password { redisCommand += ["--requirepass", password] }

    var postgresCommand: [String] = [
        settings.postgresBinDirectory + "/postgres",
        "-D", settings.dataDirectory + "/postgres",
        "-p", String(settings.postgresPort),
        "-c", "listen_addresses=\(settings.postgresHost)",
        "-k", settings.dataDirectory + "/postgres",
    ]
    if let user = settings.postgresRunAs { postgresCommand = ["/usr/sbin/runuser", "-u", user, "--"] + postgresCommand }

    let identityURL = "http://127.0.0.1:\(settings.identityPort)"
    return [
        ProcessSpec(
            name: "redis",
            command: settings.startRedis ? redisCommand : nil,
            readiness: .redis(host: settings.redis.host, port: settings.redis.port, password: settings.redis.password),
            url: "redis://\(settings.redis.host):\(settings.redis.port)"),
        ProcessSpec(
            name: "postgres",
            command: settings.startPostgres ? postgresCommand : nil,
            readiness: .postgres(
                host: settings.postgresHost, port: settings.postgresPort, user: settings.postgresUser,
                password: settings.postgresPassword, database: "postgres"),
            url: "postgres://\(settings.postgresHost):\(settings.postgresPort)/\(settings.postgresDatabase)"),
        ProcessSpec(
            name: "state-sidecar",
            command: [settings.binaryDirectory + "/StateSidecar"],
            environment: [
                "HTTP_PORT": String(settings.sidecarPort),
                "COMPONENTS_PATH": settings.componentsPath,
                "STATESTORE_REDIS_HOST": "\(settings.redis.host):\(settings.redis.port)",
                "ORDERSTORE_CONNECTION_STRING": postgresConnectionString(settings),
            ],
            dependencies: ["redis", "postgres"],
            readiness: .http(baseURL: "http://127.0.0.1:\(settings.sidecarPort)"),
            url: "http://127.0.0.1:\(settings.sidecarPort)/v1.0/state"),
        ProcessSpec(
            name: "identity",
            command: [settings.binaryDirectory + "/Identity"],
            environment: postgresEnvironment(settings).merging(["HTTP_PORT": String(settings.identityPort), "IDENTITY_URL": identityURL]) { $1 },
            dependencies: ["postgres"],
            readiness: .http(baseURL: identityURL),
            url: identityURL + "/connect/token"),
        ProcessSpec(
            name: "catalog",
            command: [settings.binaryDirectory + "/Catalog"],
            environment: postgresEnvironment(settings).merging(redisEnvironment(settings)) { $1 }
                .merging(["HTTP_PORT": String(settings.catalogPort), "IDENTITY_URL": identityURL, "MODEL_WORKER_URL": modelWorkerURL()]) { $1 },
            dependencies: ["redis", "postgres", "identity"],
            readiness: .http(baseURL: "http://127.0.0.1:\(settings.catalogPort)"),
            url: "http://127.0.0.1:\(settings.catalogPort)/api/v1/catalog/items"),
        ProcessSpec(
            name: "basket",
            command: [settings.binaryDirectory + "/Basket"],
            environment: redisEnvironment(settings).merging([
                "HTTP_PORT": String(settings.basketPort), "IDENTITY_URL": identityURL, "CATALOG_URL": "http://127.0.0.1:\(settings.catalogPort)",
            ]) { $1 },
            dependencies: ["redis", "identity", "catalog"],
            readiness: .http(baseURL: "http://127.0.0.1:\(settings.basketPort)"),
            url: "http://127.0.0.1:\(settings.basketPort)/api/v1/basket"),
        ProcessSpec(
            name: "ordering",
            command: [settings.binaryDirectory + "/Ordering"],
            environment: postgresEnvironment(settings).merging(redisEnvironment(settings)) { $1 }
                .merging([
                    "HTTP_PORT": String(settings.orderingPort), "IDENTITY_URL": identityURL,
                    "ORDERING_GRACE_PERIOD_SECONDS": String(settings.orderingGracePeriodSeconds),
                ]) { $1 },
            dependencies: ["redis", "postgres", "identity"],
            readiness: .http(baseURL: "http://127.0.0.1:\(settings.orderingPort)"),
            url: "http://127.0.0.1:\(settings.orderingPort)/api/v1/orders"),
        ProcessSpec(
            name: "payment",
            command: [settings.binaryDirectory + "/Payment"],
            environment: redisEnvironment(settings).merging(["HTTP_PORT": String(settings.paymentPort)]) { $1 },
            dependencies: ["redis"],
            readiness: .http(baseURL: "http://127.0.0.1:\(settings.paymentPort)"),
            url: "http://127.0.0.1:\(settings.paymentPort)/health/ready"),
    ]
}

/// The `REDIS_*` variables of ServiceDefaults for a service using AppHost's Redis.
func redisEnvironment(_ settings: AppHostSettings) -> [String: String] {
    var environment = ["REDIS_HOST": settings.redis.host, "REDIS_PORT": String(settings.redis.port)]
    if let password = settings.redis.password { environment["REDIS_PASSWORD"] = password }
    return environment
}

/// The `POSTGRES_*` variables of ServiceDefaults for a service using AppHost's PostgreSQL.
private func postgresEnvironment(_ settings: AppHostSettings) -> [String: String] {
    var environment = [
        "POSTGRES_HOST": settings.postgresHost, "POSTGRES_PORT": String(settings.postgresPort),
        "POSTGRES_USER": settings.postgresUser, "POSTGRES_DATABASE": settings.postgresDatabase,
    ]
    if let password = settings.postgresPassword { environment["POSTGRES_PASSWORD"] = password }
    return environment
}

/// libpq's key=value form, quoting the password so any character is safe.
private func postgresConnectionString(_ settings: AppHostSettings) -> String {
    let password = (settings.postgresPassword ?? "").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    return "host=\(settings.postgresHost) port=\(settings.postgresPort) user=\(settings.postgresUser) "
        + "password='\(password)' database=\(settings.postgresDatabase)"
}
