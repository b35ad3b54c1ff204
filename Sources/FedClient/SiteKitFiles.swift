import FedSupport
import Foundation

/// The text files of a site kit: its settings, run script, README and systemd unit.
struct SiteKitFiles {
    /// The systemd unit's file name: a template whose instance is the site's name.
    static let unitName = "fedtune-site@.service"

    let site: String
    let endpoint: CoordinatorEndpoint
    /// The federation CA certificate, PEM.
    let caPEM: String
    let made: Date

    /// Where a site is told to put its data until it edits site.env.
    var dataPlaceholder: String { "/srv/fedtune/\(self.site)/data.csv" }

    /// site.env: read by run.sh (sourced by sh) and by the unit (systemd's EnvironmentFile),
    /// so only NAME="value" lines whose values need no escaping in either.
    var environment: String {
        """
        # fedtune client settings for site '\(self.site)' (made by `fedtune certs kit`).
        # Read by run.sh (sh) and by fedtune-site@.service (systemd EnvironmentFile): keep one
        # NAME="value" per line, without spaces around '=' and without '$', '`' or '"' in values.
        #
        # The coordinator this site joins, as its certificate names it:
        FEDTUNE_COORDINATOR="\(self.endpoint)"
        # This site's labelled data (CSV; JSON Lines for text; an image folder or .npz) and its label column:
        FEDTUNE_DATA="\(self.dataPlaceholder)"
        FEDTUNE_LABEL="label"
        # More `fedtune client` options, separated by spaces, e.g. "--text-column review --evaluation 0.1":
        FEDTUNE_ARGS=""

        """
    }

    /// run.sh: the site in the foreground, from the kit's own folder.
    var runScript: String {
        """
        #!/bin/sh
        # Runs site '\(self.site)' in the foreground with the settings in site.env beside this
        # script: `./run.sh [more fedtune client options]`. fedtune must be on PATH, or set
        # FEDTUNE=/path/to/fedtune.
        set -eu
        kit=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
        . "$kit/site.env"
        # FEDTUNE_ARGS is left unquoted on purpose: it holds several options.
        exec "${FEDTUNE:-fedtune}" client --coordinator "$FEDTUNE_COORDINATOR" --identity "$kit/identity" \\
            --data "$FEDTUNE_DATA" --label "$FEDTUNE_LABEL" ${FEDTUNE_ARGS:-} "$@"

        """
    }

    /// README.txt: what is in the kit and the two ways to run it.
    var readme: String {
        """
        fedtune site kit for '\(self.site)', coordinator \(self.endpoint)

        identity/             this site's certificate (cert.pem), its private key (key.pem, mode 0600:
                              keep it secret) and the federation CA (ca.pem)
        site.env              the settings: the coordinator, the data file, its label column, more options
        run.sh                runs the site in the foreground
        \(Self.unitName)  the systemd unit (one instance per site)

        Check with the federation, out of band, that the CA is theirs:
          openssl x509 -in identity/ca.pem -noout -fingerprint -sha256
          sha256 Fingerprint=\(self.caFingerprint)

        By hand: set FEDTUNE_DATA and FEDTUNE_LABEL in site.env, then ./run.sh

        As a service, as root (fedtune installed as /usr/local/bin/fedtune):
          useradd --system --home-dir /var/lib/fedtune-site --shell /usr/sbin/nologin fedtune
          mkdir -p /etc/fedtune/sites && tar -xzf \(self.site).tar.gz -C /etc/fedtune/sites
          edit /etc/fedtune/sites/\(self.site)/site.env (the data file must be readable by the fedtune user)
          install -m 644 /etc/fedtune/sites/\(self.site)/\(Self.unitName) /etc/systemd/system/
          systemctl daemon-reload && systemctl enable --now fedtune-site@\(self.site)
          journalctl -u fedtune-site@\(self.site) -f

        The client stops with one sentence when the coordinator refuses this site, and exits 0
        when the federation has finished. See deploy/README.md in the fedtune repository.

        """
    }

    /// The SHA-256 of the CA certificate's DER bytes as openssl prints it (AB:CD:…).
    var caFingerprint: String {
        let base64 = self.caPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: base64) else { return "(ca.pem is not PEM)" }
        let hex = sha256Hex(der).uppercased()
        return stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 2)])
        }.joined(separator: ":")
    }

    /// deploy/systemd/fedtune-site@.service, verbatim (a test keeps the two equal).
    static let systemdUnit = #"""
# One fedtune site as a system service; the instance name is the site's name
# (`systemctl enable --now fedtune-site@site-a`). A kit from `fedtune certs kit SITE`
# unpacked into /etc/fedtune/sites/ holds everything the unit reads:
#   /etc/fedtune/sites/SITE/site.env     FEDTUNE_COORDINATOR, FEDTUNE_DATA, FEDTUNE_LABEL, FEDTUNE_ARGS
#   /etc/fedtune/sites/SITE/identity/    cert.pem, key.pem (0600), ca.pem
# The identity may stay owned by root: systemd hands the service a private copy
# (LoadCredential, %d). The data file must be readable by the fedtune user.
[Unit]
Description=fedtune site %i (joins the coordinator named in /etc/fedtune/sites/%i/site.env)
Documentation=man:systemd.exec(5)
Wants=network-online.target
After=network-online.target
# A site the coordinator refuses stops with a sentence in the journal; it is not restarted
# more than 5 times in 5 minutes. A lost network is retried by the client itself.
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
Type=exec
User=fedtune
Group=fedtune
EnvironmentFile=/etc/fedtune/sites/%i/site.env
LoadCredential=cert.pem:/etc/fedtune/sites/%i/identity/cert.pem
LoadCredential=key.pem:/etc/fedtune/sites/%i/identity/key.pem
LoadCredential=ca.pem:/etc/fedtune/sites/%i/identity/ca.pem
ExecStart=/usr/local/bin/fedtune client --coordinator ${FEDTUNE_COORDINATOR} --identity %d --data ${FEDTUNE_DATA} --label ${FEDTUNE_LABEL} --cache %S/fedtune-site/%i $FEDTUNE_ARGS
# SIGTERM stops the client between messages; SIGHUP has nothing to reload in a site.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=10
WorkingDirectory=%S/fedtune-site/%i
# One OpenBLAS thread per site: see README.md, "fedtune on PATH".
Environment=OPENBLAS_NUM_THREADS=1

StateDirectory=fedtune-site/%i
StateDirectoryMode=0750
ReadWritePaths=%S/fedtune-site/%i
UMask=0077
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=

[Install]
WantedBy=multi-user.target

"""#
}
