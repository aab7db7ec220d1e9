<#
.SYNOPSIS
    Installs Storeboard as a Windows service with NSSM, opens its port in the Windows firewall
    and starts it. Run in an elevated PowerShell ("Run as administrator").

.DESCRIPTION
    Layout:
      $InstallDir (C:\Program Files\Storeboard)   storeboard.exe and nssm.exe
      $Root       (C:\ProgramData\Storeboard)     storeboard.toml, data\, logs\, backups\
    The service runs as NT AUTHORITY\LocalService. $Root is readable only by SYSTEM,
    Administrators and LocalService, so the admin password in storeboard.toml stays private.
    Ctrl-C is how NSSM stops it: in-flight requests finish first (shutdown_timeout).
    Re-running the script updates the service; an existing storeboard.toml is kept unless -Force.
    See docs/operations.md ("Running as a Windows service").

    This file is ASCII on purpose: Windows PowerShell 5.1 misreads UTF-8 scripts without a BOM.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install-service.ps1 -Port 8050 -Preset small

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install-service.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    [string]$InstallDir = (Join-Path $env:ProgramFiles 'Storeboard'),
    [string]$Root = (Join-Path $env:ProgramData 'Storeboard'),
    [string]$Nssm = '',
    [string]$ServiceName = 'storeboard',
    [ValidateRange(1, 65535)][int]$Port = 8050,
    [ValidateSet('small', 'medium', 'large', 'xlarge')][string]$Preset = 'small',
    # Seconds in-flight requests get after Ctrl-C; NSSM waits 5 s longer before killing.
    [ValidateRange(1, 3600)][int]$ShutdownTimeout = 10,
    [switch]$NoPassword,
    [switch]$Force,
    [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'

$principal = New-Object Security.Principal.WindowsPrincipal(
    [Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script in an elevated PowerShell (Run as administrator).'
}
if (-not $Nssm) {
    $Nssm = Join-Path $InstallDir 'nssm.exe'
    if (-not (Test-Path $Nssm)) { $Nssm = 'nssm.exe' }
}
$exe = Join-Path $InstallDir 'storeboard.exe'
$config = Join-Path $Root 'storeboard.toml'
$ruleName = "Storeboard (TCP $Port)"

function Invoke-Nssm {
    & $Nssm @args
    if ($LASTEXITCODE -ne 0) { throw "nssm $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

# A TOML basic string: backslashes and quotes escaped.
function ConvertTo-TomlString([string]$Text) {
    '"' + ($Text -replace '\\', '\\' -replace '"', '\"') + '"'
}

if ($Uninstall) {
    & $Nssm stop $ServiceName | Out-Null
    Invoke-Nssm remove $ServiceName confirm
    & netsh advfirewall firewall delete rule name="$ruleName" | Out-Null
    Write-Host "Removed the service $ServiceName and the firewall rule; $Root (data, backups) is kept."
    return
}

if (-not (Test-Path $exe)) { throw "$exe not found: copy storeboard.exe there first." }
foreach ($dir in @($Root, "$Root\data", "$Root\logs", "$Root\backups")) {
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
}
# SYSTEM and Administrators: full control; LocalService (the service): modify. Nobody else.
& icacls $Root /inheritance:r /grant:r '*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-19:(OI)(CI)M' | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls $Root failed with exit code $LASTEXITCODE" }

if ($Force -or -not (Test-Path $config)) {
    $password = ''
    if (-not $NoPassword) {
        $secure = Read-Host -AsSecureString 'Admin password for uploads and deletes (empty: none)'
        $password = [Runtime.InteropServices.Marshal]::PtrToStringAuto(
            [Runtime.InteropServices.Marshal]::SecureStringToBSTR($secure))
    }
    $lines = @(
        '# Storeboard settings: see docs/configuration.md. Written by install-service.ps1.',
        "data_dir = $(ConvertTo-TomlString "$Root\data")",
        'host = "0.0.0.0"',
        "port = $Port",
        "preset = `"$Preset`"",
        "shutdown_timeout = $ShutdownTimeout"
    )
    if ($password) { $lines += "admin_password = $(ConvertTo-TomlString $password)" }
    # UTF-8 without a BOM.
    [IO.File]::WriteAllText($config, ($lines -join "`r`n") + "`r`n", (New-Object Text.UTF8Encoding $false))
    # The service may read its settings but not change them.
    & icacls $config /inheritance:r /grant:r '*S-1-5-18:F' '*S-1-5-32-544:F' '*S-1-5-19:R' | Out-Null
    Write-Host "Wrote $config"
} else {
    Write-Host "Kept $config (use -Force to rewrite it)"
}

$existing = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if ($existing) {
    & $Nssm stop $ServiceName | Out-Null
} else {
    Invoke-Nssm install $ServiceName $exe
}
$log = Join-Path $Root 'logs\storeboard.log'
Invoke-Nssm set $ServiceName Application $exe
# Straight into NSSM's registry value: quoting through the command line differs between
# PowerShell versions.
Set-ItemProperty -Path "HKLM:\SYSTEM\CurrentControlSet\Services\$ServiceName\Parameters" `
    -Name AppParameters -Value "--config `"$config`""
Invoke-Nssm set $ServiceName AppDirectory $Root
Invoke-Nssm set $ServiceName DisplayName 'Storeboard store dashboard'
Invoke-Nssm set $ServiceName Description "Storeboard store dashboard on port $Port (docs/operations.md)"
Invoke-Nssm set $ServiceName Start SERVICE_AUTO_START
# The unprivileged LocalService account (no password).
$service = Get-CimInstance Win32_Service -Filter "Name='$ServiceName'"
$changed = Invoke-CimMethod -InputObject $service -MethodName Change `
    -Arguments @{ StartName = 'NT AUTHORITY\LocalService'; StartPassword = '' }
if ($changed.ReturnValue -ne 0) { throw "Cannot set the service account (Win32_Service.Change: $($changed.ReturnValue))" }
# Plain log lines (no colour escapes) in one rotating file.
Invoke-Nssm set $ServiceName AppEnvironmentExtra 'NO_COLOR=1'
Invoke-Nssm set $ServiceName AppStdout $log
Invoke-Nssm set $ServiceName AppStderr $log
Invoke-Nssm set $ServiceName AppRotateFiles 1
Invoke-Nssm set $ServiceName AppRotateOnline 1
Invoke-Nssm set $ServiceName AppRotateBytes 10485760
# Stop = Ctrl-C (the graceful stop), then wait; skip WM_CLOSE and thread messages (2 + 4).
Invoke-Nssm set $ServiceName AppStopMethodSkip 6
Invoke-Nssm set $ServiceName AppStopMethodConsole ((($ShutdownTimeout + 5) * 1000))
# Restart after a crash, but not after a configuration error (exit code 2).
Invoke-Nssm set $ServiceName AppExit Default Restart
Invoke-Nssm set $ServiceName AppExit 2 Exit
Invoke-Nssm set $ServiceName AppRestartDelay 5000

& netsh advfirewall firewall delete rule name="$ruleName" | Out-Null
& netsh advfirewall firewall add rule name="$ruleName" dir=in action=allow protocol=TCP localport=$Port profile=private,domain | Out-Null
if ($LASTEXITCODE -ne 0) { throw "netsh could not add the firewall rule '$ruleName'" }

Invoke-Nssm start $ServiceName
$deadline = (Get-Date).AddSeconds(20)
do {
    Start-Sleep -Milliseconds 500
    try {
        $ok = (Invoke-WebRequest -UseBasicParsing "http://127.0.0.1:$Port/healthz").Content -eq 'ok'
    } catch { $ok = $false }
} until ($ok -or (Get-Date) -gt $deadline)
if (-not $ok) { throw "The service did not answer on port $Port within 20 s; see $log" }
Write-Host "Storeboard is running: http://$($env:COMPUTERNAME):$Port/ (log: $log)"
$profiles = Get-NetConnectionProfile | Where-Object NetworkCategory -eq 'Public'
if ($profiles) {
    Write-Warning ("The network '$($profiles[0].Name)' is Public: the firewall rule covers Private " +
        "and Domain networks only. If it is the store's own network: " +
        "Set-NetConnectionProfile -InterfaceAlias '$($profiles[0].InterfaceAlias)' -NetworkCategory Private")
}
