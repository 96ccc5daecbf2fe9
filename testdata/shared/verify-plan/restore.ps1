<#
.SYNOPSIS
Restores deleted JumpCloud users: imports the CSV beside this script, then
sets again what the CSV cannot carry.

.DESCRIPTION
Written by jcrestore. Run it in a PowerShell session connected with
Connect-JCOnline (JumpCloud module 2.18.0 or newer), first with -WhatIf to
see every step it would take:

    .\restore.ps1 -WhatIf
    .\restore.ps1

It refuses to run unless the module is new enough and the session is
connected to the organization the users were deleted from. It imports the
users of the CSV that do not exist yet, then for each user sets the state
and the account settings they had, binds their devices with the rights
they had, adds them to their groups by id and binds their other direct
associations; last, once every user exists, it sets the managers. Every
step's outcome, with the error where one failed, goes to the results file
beside this script, with the plan (the data below and the text of the CSV)
and at the end the restored users and their managers as JumpCloud has
them now: jcrestore verify reads it. Run again, it does nothing it did before.
With -RestoreReports it also makes each restored user the manager again
of the users whose manager the deletion changed.

The users are the data in $Data below: JSON, in base64, which this script
reads and never runs. Its code is the same for every export.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    # Also make each restored user the manager again of the users whose
    # manager the deletion changed (Remove-JCUser -CascadeManager): off
    # unless asked, since the new manager may be meant.
    [switch] $RestoreReports
)

$ErrorActionPreference = 'Stop'

# The users to restore, and what to set for each: written by jcrestore.
$Data = '
eyJvcmdhbml6YXRpb24iOiI1YTFiMmMzZDRlNWY2MDcxODI5M2E0YjUiLCJjc3YiOiJyZXN0b3Jl
LmNzdiIsInJlc3VsdHMiOiJyZXN0b3JlLXJlc3VsdHMuanNvbiIsInVzZXJzIjpbeyJ1c2VybmFt
ZSI6ImJvYiIsInN1c3BlbmQiOmZhbHNlLCJmbGFncyI6W10sImRldmljZXMiOltdLCJncm91cHMi
OltdLCJsaW5rcyI6W10sIm1hbmFnZXIiOiIiLCJyZXBvcnRzIjpbXX0seyJ1c2VybmFtZSI6ImFu
biIsInN1c3BlbmQiOmZhbHNlLCJmbGFncyI6W10sImRldmljZXMiOltdLCJncm91cHMiOltdLCJs
aW5rcyI6W10sIm1hbmFnZXIiOiJib2IiLCJyZXBvcnRzIjpbXX0seyJ1c2VybmFtZSI6ImN5Iiwi
c3VzcGVuZCI6dHJ1ZSwiZmxhZ3MiOltdLCJkZXZpY2VzIjpbXSwiZ3JvdXBzIjpbXSwibGlua3Mi
OltdLCJtYW5hZ2VyIjoiIiwicmVwb3J0cyI6W119LHsidXNlcm5hbWUiOiJkZWUiLCJzdXNwZW5k
IjpmYWxzZSwiZmxhZ3MiOlsiYWNjb3VudF9sb2NrZWQiXSwiZGV2aWNlcyI6W10sImdyb3VwcyI6
W10sImxpbmtzIjpbXSwibWFuYWdlciI6ImJvYiIsInJlcG9ydHMiOltdfSx7InVzZXJuYW1lIjoi
ZmF5Iiwic3VzcGVuZCI6ZmFsc2UsImZsYWdzIjpbXSwiZGV2aWNlcyI6W10sImdyb3VwcyI6W10s
ImxpbmtzIjpbXSwibWFuYWdlciI6IiIsInJlcG9ydHMiOltdfV19
'

# The account settings this script sets, by Set-JCUser's [bool]
# parameters: only these, whatever the data says.
$Flags = @('account_locked', 'sudo', 'passwordless_sudo', 'password_never_expires', 'ldap_binding_user', 'enable_managed_uid', 'allow_public_key')

$plan = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Data)) | ConvertFrom-Json

$module = Get-Module -ListAvailable -Name JumpCloud | Sort-Object -Property Version -Descending | Select-Object -First 1
if ($null -eq $module -or $module.Version -lt [version]'2.18.0') {
    throw 'This script needs the JumpCloud PowerShell module 2.18.0 or newer: Install-Module -Name JumpCloud -Scope CurrentUser, then Connect-JCOnline'
}
Import-Module -Name JumpCloud -MinimumVersion 2.18.0
if ([string]::IsNullOrEmpty($env:JCOrgId)) {
    throw 'Not connected to JumpCloud: run Connect-JCOnline first'
}
if ($plan.organization -and $env:JCOrgId -ne $plan.organization) {
    throw ('This session is connected to the organization {0}, and these users were deleted from {1}: connect to that one (Set-JCOrganization) and run again' -f $env:JCOrgId, $plan.organization)
}

$here = $PSScriptRoot
$resultsPath = Join-Path -Path $here -ChildPath $plan.results
$rows = @(Import-Csv -LiteralPath (Join-Path -Path $here -ChildPath $plan.csv))
$steps = New-Object -TypeName System.Collections.ArrayList
$before = @{}
if (Test-Path -LiteralPath $resultsPath) {
    $previous = Get-Content -LiteralPath $resultsPath -Raw -Encoding UTF8 | ConvertFrom-Json
    foreach ($step in $previous.steps) {
        if ($step.outcome -eq 'done' -or $step.outcome -eq 'done before') {
            $before[$step.key] = $true
        }
    }
}

# Add-Outcome records what became of one step.
function Add-Outcome {
    param([string] $User, [string] $Step, [string] $Target, [string] $Outcome, [string] $Message)
    $key = '{0}|{1}|{2}' -f $User.ToLowerInvariant(), $Step, $Target
    [void]$steps.Add([pscustomobject]@{ key = $key; username = $User; step = $Step; target = $Target; outcome = $Outcome; error = $Message })
    if ($Outcome -eq 'failed') {
        Write-Warning ('{0}: {1} {2}: {3}' -f $User, $Step, $Target, $Message)
    }
}

# Invoke-Step runs one step, unless -WhatIf or a run before did it.
function Invoke-Step {
    param([string] $User, [string] $Step, [string] $Target, [scriptblock] $Action)
    $key = '{0}|{1}|{2}' -f $User.ToLowerInvariant(), $Step, $Target
    if ($before.ContainsKey($key)) {
        Add-Outcome -User $User -Step $Step -Target $Target -Outcome 'done before' -Message ''
        return
    }
    if (-not $PSCmdlet.ShouldProcess(('{0} {1}' -f $User, $Target), $Step)) {
        return
    }
    try {
        & $Action
        Add-Outcome -User $User -Step $Step -Target $Target -Outcome 'done' -Message ''
    }
    catch {
        Add-Outcome -User $User -Step $Step -Target $Target -Outcome 'failed' -Message $_.Exception.Message
    }
}

# Find-User is the user with this username now, or $null. Get-JCUser
# matches the whole name, without regard to case.
function Find-User {
    param([string] $Username)
    $found = @(Get-JCUser -username $Username)
    if ($found.Count -eq 0) {
        return $null
    }
    return $found[0]
}

# The import: the users of the CSV that do not exist yet.
$ids = @{}
$missing = New-Object -TypeName System.Collections.ArrayList
foreach ($user in $plan.users) {
    $found = Find-User -Username $user.username
    if ($null -ne $found) {
        $ids[$user.username.ToLowerInvariant()] = $found._id
    }
    else {
        [void]$missing.Add($user.username)
    }
}
$imported = @()
if ($missing.Count -gt 0 -and $PSCmdlet.ShouldProcess(('{0} users of {1}' -f $missing.Count, $plan.csv), 'Import-JCUsersFromCSV')) {
    $part = Join-Path -Path $here -ChildPath ('.jcrestore-import-{0}.csv' -f [guid]::NewGuid())
    $rows | Where-Object { $missing -contains $_.Username } | Export-Csv -LiteralPath $part -NoTypeInformation -Encoding UTF8
    try {
        $imported = @(Import-JCUsersFromCSV -CSVFilePath $part -force)
    }
    finally {
        Remove-Item -LiteralPath $part
    }
    foreach ($row in $imported) {
        if ($row.UserID) {
            $ids[([string]$row.Username).ToLowerInvariant()] = $row.UserID
            Add-Outcome -User $row.Username -Step 'import' -Target $plan.csv -Outcome 'done' -Message ''
        }
        else {
            Add-Outcome -User $row.Username -Step 'import' -Target $plan.csv -Outcome 'failed' -Message (($row.Status, $row.AdditionalInfo) -join ' ')
        }
    }
}

# What the CSV cannot carry, user by user.
foreach ($user in $plan.users) {
    $id = $ids[$user.username.ToLowerInvariant()]
    if ($null -eq $id) {
        if (-not $WhatIfPreference) {
            Add-Outcome -User $user.username -Step 'find' -Target '' -Outcome 'failed' -Message 'the user does not exist: not imported'
            continue
        }
        $id = 'the new user' # -WhatIf: what would be done once it exists
        $now = $null
    }
    else {
        $now = Get-JCUser -userid $id
    }
    if ($user.suspend -and ($null -eq $now -or $now.state -ne 'SUSPENDED')) {
        Invoke-Step -User $user.username -Step 'suspend' -Target 'state' -Action { Set-JCUser -UserID $id -state 'SUSPENDED' }
    }
    foreach ($flag in $Flags) {
        if ($user.flags -contains $flag -and ($null -eq $now -or -not $now.$flag)) {
            $setting = @{ UserID = $id }
            $setting[$flag] = $true
            Invoke-Step -User $user.username -Step 'set' -Target $flag -Action { Set-JCUser @setting }
        }
    }
    foreach ($device in $user.devices) {
        if ($device.noPassword) {
            Invoke-Step -User $user.username -Step 'bind device, passwordless sudo' -Target $device.id -Action {
                Set-JcSdkUserAssociation -UserId $id -Id $device.id -Op 'add' -Type 'system' -Attributes @{ sudo = @{ enabled = $true; withoutPassword = $true } }
            }
        }
        else {
            Invoke-Step -User $user.username -Step 'bind device' -Target $device.id -Action {
                Add-JCSystemUser -UserID $id -SystemID $device.id -Administrator ([bool]$device.admin)
            }
        }
    }
    foreach ($group in $user.groups) {
        Invoke-Step -User $user.username -Step 'add to group' -Target $group.id -Action { Add-JCUserGroupMember -ByID -UserID $id -GroupID $group.id }
    }
    foreach ($link in $user.links) {
        Invoke-Step -User $user.username -Step ('bind ' + $link.type) -Target $link.id -Action { Set-JcSdkUserAssociation -UserId $id -Id $link.id -Op 'add' -Type $link.type }
    }
}

# The managers, now that every user exists.
$managers = @{}
foreach ($user in $plan.users) {
    if (-not $user.manager) {
        continue
    }
    $id = $ids[$user.username.ToLowerInvariant()]
    if ($null -eq $id) {
        continue
    }
    $manager = Find-User -Username $user.manager
    if ($null -eq $manager) {
        Add-Outcome -User $user.username -Step 'set manager' -Target $user.manager -Outcome 'failed' -Message 'no user has this username'
        continue
    }
    $managers[$manager._id] = $true
    $now = Get-JCUser -userid $id
    if ($now.manager -ne $manager._id) {
        Invoke-Step -User $user.username -Step 'set manager' -Target $user.manager -Action { Set-JCUser -UserID $id -manager $manager._id }
    }
}

# The reports whose manager the deletion changed, when asked.
if ($RestoreReports) {
    foreach ($user in $plan.users) {
        $id = $ids[$user.username.ToLowerInvariant()]
        if ($null -eq $id) {
            continue
        }
        foreach ($name in $user.reports) {
            $report = Find-User -Username $name
            if ($null -eq $report) {
                Add-Outcome -User $name -Step 'set manager back' -Target $user.username -Outcome 'failed' -Message 'no user has this username'
            }
            elseif ($report.manager -ne $id) {
                Invoke-Step -User $name -Step 'set manager back' -Target $user.username -Action { Set-JCUser -UserID $report._id -manager $id }
            }
        }
    }
}

# The evidence: the plan, every step, and the restored users and their
# managers as JumpCloud has them.
$users = New-Object -TypeName System.Collections.ArrayList
$listed = @{}
foreach ($user in $plan.users) {
    $id = $ids[$user.username.ToLowerInvariant()]
    if ($null -ne $id) {
        [void]$users.Add((Get-JCUser -userid $id))
        $listed[$id] = $true
    }
}
foreach ($id in $managers.Keys) {
    if (-not $listed.ContainsKey($id)) {
        [void]$users.Add((Get-JCUser -userid $id))
    }
}
$results = [ordered]@{
    tool         = 'jcrestore restore script'
    organization = $env:JCOrgId
    finished     = (Get-Date).ToUniversalTime().ToString('o')
    plan         = $plan
    csvText      = Get-Content -LiteralPath (Join-Path -Path $here -ChildPath $plan.csv) -Raw -Encoding UTF8
    import       = $imported
    steps        = $steps
    users        = $users
}
if (-not $WhatIfPreference) {
    $results | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $resultsPath -Encoding UTF8
    $failed = @($steps | Where-Object { $_.outcome -eq 'failed' }).Count
    Write-Host ('{0} steps, {1} failed; results in {2}' -f $steps.Count, $failed, $resultsPath)
}
