<#
.SYNOPSIS
    One Storeboard backup, keeping the newest -Keep backups; -Register adds a daily
    Task Scheduler task that runs this script. Run -Register in an elevated PowerShell.

.DESCRIPTION
    Writes $BackupDir\storeboard-<UTC time>.db with `storeboard.exe backup` (safe while the
    service runs), then deletes all but the newest $Keep files named storeboard-*.db there.
    Exit code: that of storeboard.exe (0 ok, 1 failed, 2 usage error).
    See docs/operations.md ("Backups").

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File backup.ps1 -Register -At 02:30 -Keep 14

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File backup.ps1 -BackupDir D:\storeboard-backups
#>
[CmdletBinding()]
param(
    [string]$Exe = (Join-Path $env:ProgramFiles 'Storeboard\storeboard.exe'),
    [string]$DataDir = (Join-Path $env:ProgramData 'Storeboard\data'),
    [string]$BackupDir = (Join-Path $env:ProgramData 'Storeboard\backups'),
    [ValidateRange(1, 10000)][int]$Keep = 14,
    [switch]$Register,
    [string]$At = '02:30',
    [string]$TaskName = 'Storeboard backup'
)
$ErrorActionPreference = 'Stop'

if ($Register) {
    $script = $MyInvocation.MyCommand.Path
    $run = "powershell.exe -NoProfile -ExecutionPolicy Bypass -File `"$script`" " +
        "-Exe `"$Exe`" -DataDir `"$DataDir`" -BackupDir `"$BackupDir`" -Keep $Keep"
    & schtasks.exe /Create /F /TN $TaskName /SC DAILY /ST $At /RU SYSTEM /RL HIGHEST /TR $run
    if ($LASTEXITCODE -ne 0) { throw "schtasks failed with exit code $LASTEXITCODE" }
    Write-Host "Registered '$TaskName' daily at $At. Try it now: schtasks /Run /TN `"$TaskName`""
    return
}

New-Item -ItemType Directory -Force -Path $BackupDir | Out-Null
$stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
$out = Join-Path $BackupDir "storeboard-$stamp.db"
& $Exe backup --data-dir $DataDir --out $out
$code = $LASTEXITCODE
if ($code -ne 0) {
    Write-Error "storeboard backup failed with exit code $code" -ErrorAction Continue
    exit $code
}
# The names sort by time: keep the newest $Keep.
Get-ChildItem -Path $BackupDir -Filter 'storeboard-*.db' -File |
    Sort-Object Name -Descending |
    Select-Object -Skip $Keep |
    ForEach-Object {
        Remove-Item -LiteralPath $_.FullName
        Write-Host "removed old backup $($_.FullName)"
    }
exit 0
