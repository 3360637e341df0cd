/// Everything AppHost starts, in the order the table lists it. Each service issue adds its
/// service here, with the stores (and services) it needs as dependencies.
func appHostPlan(_ settings: AppHostSettings) -> [ProcessSpec] {
    var redisCommand: [String] = [
        settings.redisServer,
        "--bind", settings.redisHost, "--port", String(settings.redisPort),
        "--dir", settings.dataDirectory + "/redis",
        "--appendonly", "yes", "--save", "",
    ]
    if let password = settings.redisPassword { redisCommand += ["--requirepass", password] }

    var postgresCommand: [String] = [
        settings.postgresBinDirectory + "/postgres",
        "-D", settings.dataDirectory + "/postgres",
        "-p", String(settings.postgresPort),
        "-c", "listen_addresses=\(settings.postgresHost)",
        "-k", settings.dataDirectory + "/postgres",
    ]
    if let user = settings.postgresRunAs { postgresCommand = ["/usr/sbin/runuser", "-u", user, "--"] + postgresCommand }

    return [
        ProcessSpec(
            name: "redis",
            command: settings.startRedis ? redisCommand : nil,
            readiness: .redis(host: settings.redisHost, port: settings.redisPort, password: settings.redisPassword),
            url: "redis://\(settings.redisHost):\(settings.redisPort)"),
        ProcessSpec(
            name: "postgres",
            command: settings.startPostgres ? postgresCommand : nil,
            readiness: .postgres(
                host: settings.postgresHost, port: settings.postgresPort, user: settings.postgresUser,
                password: settings.postgresPassword, database: "postgres"),
            url: "postgres://\(settings.postgresHost):\(settings.postgresPort)/\(settings.postgresDatabase)"),
    ]
}
